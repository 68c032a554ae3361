module example.com/app

go 1.19

require (
	example.com/greet v0.0.0
	github.com/acme/colors v1.2.0
	github.com/acme/strs v0.3.0
)

replace github.com/acme/colors v1.2.0 => github.com/fork/colors v1.4.1

replace example.com/greet => ../greet
