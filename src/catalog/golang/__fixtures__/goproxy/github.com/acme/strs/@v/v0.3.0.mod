module github.com/acme/strs

go 1.19
