module github.com/acme/colors

go 1.19
