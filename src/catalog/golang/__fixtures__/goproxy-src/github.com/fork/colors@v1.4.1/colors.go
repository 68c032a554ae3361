package colors

func Red() string { return "red" }
