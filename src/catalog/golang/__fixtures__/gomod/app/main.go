package main

import (
	"fmt"

	"example.com/greet"
	"github.com/acme/colors"
	"github.com/acme/strs"
)

func main() { fmt.Println(strs.Twice(colors.Red() + greet.Hello())) }
