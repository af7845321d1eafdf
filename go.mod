module github.com/ossup/ossup

go 1.26
