package greet

func Hello() string { return "hi" }
