module aaa.proclab.local/workerinit

go 1.26.0
