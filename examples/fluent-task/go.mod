module example.com/fluent

go 1.19
