package main

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// flagError rewrites pflag's parse errors ("invalid argument "x" for
// "--n-tasks" flag: strconv.ParseInt: parsing "x": invalid syntax") as one
// plain line that names the flag and says what it wants.
func flagError(err error) error {
	var inv *pflag.InvalidValueError
	if errors.As(err, &inv) {
		name, val := "--"+inv.GetFlag().Name, inv.GetValue()
		return fmt.Errorf("%s: %s", name, valueProblem(inv.GetFlag().Value.Type(), val, errors.Unwrap(err)))
	}
	var ne *pflag.NotExistError
	if errors.As(err, &ne) {
		return fmt.Errorf("%v (proclab --help lists the flags)", err)
	}
	return err
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
		return usageError{fmt.Errorf("unexpected argument %q: proclab takes only flags (proclab --help lists them)", args[0])}
	}
	return nil
}
