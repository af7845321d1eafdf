package oss

import (
	"context"
	"errors"
	"os"
)

// Credentials are an access key pair and, for STS credentials, the
// security token that goes with it.
type Credentials struct {
	AccessKeyID     string
	AccessKeySecret string
	SecurityToken   string
}

// CredentialsProvider supplies the credentials each request is signed
// with. Implementations must be safe for concurrent use; a provider of
// temporary credentials refreshes them itself.
type CredentialsProvider interface {
	Credentials(ctx context.Context) (Credentials, error)
}

// StaticCredentials is a CredentialsProvider that always returns itself.
type StaticCredentials Credentials

// Credentials returns c.
func (c StaticCredentials) Credentials(context.Context) (Credentials, error) {
	if c.AccessKeyID == "" || c.AccessKeySecret == "" {
		return Credentials{}, ErrNoCredentials
	}
	return Credentials(c), nil
}

// EnvCredentials reads OSS_ACCESS_KEY_ID, OSS_ACCESS_KEY_SECRET and
// OSS_SESSION_TOKEN from the environment at every call, so a rotated
// token is picked up.
type EnvCredentials struct{}

// Credentials returns the credentials in the environment.
func (EnvCredentials) Credentials(context.Context) (Credentials, error) {
	c := Credentials{
		AccessKeyID:     os.Getenv("OSS_ACCESS_KEY_ID"),
		AccessKeySecret: os.Getenv("OSS_ACCESS_KEY_SECRET"),
		SecurityToken:   os.Getenv("OSS_SESSION_TOKEN"),
	}
	if c.AccessKeyID == "" || c.AccessKeySecret == "" {
		return Credentials{}, errors.New("oss: OSS_ACCESS_KEY_ID and OSS_ACCESS_KEY_SECRET are not set")
	}
	return c, nil
}
