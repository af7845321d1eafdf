module github.com/ossup/ossup/bench

go 1.26.0

require (
	github.com/aliyun/alibabacloud-oss-go-sdk-v2 v1.6.1
	github.com/aliyun/aliyun-oss-go-sdk v3.0.2+incompatible
	github.com/aws/aws-sdk-go-v2 v1.48.0
	github.com/ossup/ossup v0.0.0
	golang.org/x/sync v0.25.0
)

require (
	github.com/aws/smithy-go v1.28.9 // indirect
	github.com/gofrs/flock v0.13.2 // indirect
	go.etcd.io/bbolt v1.5.0 // indirect
	golang.org/x/sys v0.50.0 // indirect
	golang.org/x/time v0.4.0 // indirect
	gopkg.in/check.v1 v1.0.0-20201130134442-10cb98267c6c // indirect
)

replace github.com/ossup/ossup => ../
