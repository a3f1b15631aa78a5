package main

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/proclab/proclab/lab"
)

// flagError rewrites pflag's parse errors ("invalid argument "x" for
// "--n-tasks" flag: strconv.ParseInt: parsing "x": invalid syntax") as one
// plain line that names the flag and says what it wants.
func flagError(cmd *cobra.Command, err error) error {
	var inv *pflag.InvalidValueError
	if errors.As(err, &inv) {
		name, val := "--"+inv.GetFlag().Name, inv.GetValue()
		return fmt.Errorf("%s: %s", name, valueProblem(inv.GetFlag().Value.Type(), val, errors.Unwrap(err)))
	}
	var ne *pflag.NotExistError
	if errors.As(err, &ne) {
		help := cmd.CommandPath() + " --help"
		if hint := nearestFlag(cmd, ne.GetSpecifiedName()); hint != "" && len(ne.GetSpecifiedName()) > 1 {
			return fmt.Errorf("%v: did you mean --%s? (%s lists the flags)", err, hint, help)
		}
		return fmt.Errorf("%v (%s lists the flags)", err, help)
	}
	return err
}

// nearestFlag is the flag of cmd that a mistyped name most likely meant.
func nearestFlag(cmd *cobra.Command, name string) string {
	var names []string
	cmd.Flags().VisitAll(func(f *pflag.Flag) {
		if !f.Hidden {
			names = append(names, f.Name)
		}
	})
	return lab.Nearest(strings.ReplaceAll(strings.ToLower(name), "_", "-"), names)
}

// valueProblem says what is wrong with value val for a flag of pflag type
// typ, whose parser failed with cause.
func valueProblem(typ, val string, cause error) string {
	var ne *strconv.NumError
	isNum := errors.As(cause, &ne)
	switch {
	case typ == "duration":
		return fmt.Sprintf("%q is not a duration (try 500ms, 30s or 2m)", val)
	case typ == "bool":
		return fmt.Sprintf("%q is not true or false", val)
	case isNum && ne.Err == strconv.ErrRange:
		lo, hi := intRange(typ)
		if strings.HasPrefix(strings.TrimSpace(val), "-") {
			return fmt.Sprintf("%s is too small (at least %s)", val, lo)
		}
		return fmt.Sprintf("%s is too large (at most %s)", val, hi)
	case isNum && strings.HasPrefix(typ, "uint") && strings.HasPrefix(strings.TrimSpace(val), "-"):
		return fmt.Sprintf("%s is negative; give a whole number of at least 1", val)
	case isNum && (strings.HasPrefix(typ, "int") || strings.HasPrefix(typ, "uint")):
		return fmt.Sprintf("%q is not a whole number", val)
	case isNum:
		return fmt.Sprintf("%q is not a number", val)
	}
	return cause.Error()
}

// intRange is the range of pflag integer type typ, in words.
func intRange(typ string) (lo, hi string) {
	switch typ {
	case "uint64", "uint":
		return "0", strconv.FormatUint(math.MaxUint64, 10)
	case "uint32":
		return "0", strconv.FormatUint(math.MaxUint32, 10)
	case "int32":
		return strconv.Itoa(math.MinInt32), strconv.Itoa(math.MaxInt32)
	}
	return strconv.FormatInt(math.MinInt64, 10), strconv.FormatInt(math.MaxInt64, 10)
}

// noArgs rejects positional arguments as bad input (exit status 2).
func noArgs(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		if hint := cmd.SuggestionsFor(args[0]); len(hint) > 0 {
			return usageError{fmt.Errorf("unknown command %q: did you mean proclab %s? (proclab --help lists the commands)", args[0], hint[0])}
		}
		return usageError{fmt.Errorf("unexpected argument %q: proclab takes only flags (proclab --help lists them)", args[0])}
	}
	return nil
}
