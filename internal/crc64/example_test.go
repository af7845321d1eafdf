package crc64_test

import (
	"encoding/base64"
	"fmt"

	"github.com/ossup/ossup/internal/crc64"
)

func ExampleChecksum() {
	crc := crc64.Checksum([]byte("hi oss"))
	fmt.Println(crc64.Format(crc))
	// Output: 8707180448768400016
}

func ExampleCombine() {
	part1, part2 := []byte("12345"), []byte("6789")
	crc := crc64.Combine(crc64.Checksum(part1), crc64.Checksum(part2), int64(len(part2)))
	fmt.Println(crc == crc64.Checksum([]byte("123456789")))
	// Output: true
}

func ExampleParse() {
	crc, err := crc64.Parse("11051210869376104954")
	fmt.Printf("%#x %v\n", crc, err)
	_, err = crc64.Parse("-1")
	fmt.Println(err)
	// Output:
	// 0x995dc9bbdf1939fa <nil>
	// crc64: parse "-1": invalid syntax
}

func ExampleNew() {
	h := crc64.New()
	h.Write([]byte("1234"))
	h.Write([]byte("56789"))
	fmt.Println(h.Sum64())
	// Output: 11051210869376104954
}

func ExampleNewNVME() {
	h := crc64.NewNVME()
	h.Write([]byte("Hello, World!"))
	fmt.Println(base64.StdEncoding.EncodeToString(h.Sum(nil)))
	// Output: 1Km+Qyat0k0=
}
