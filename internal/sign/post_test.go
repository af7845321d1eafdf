package sign

import (
	"errors"
	"testing"
	"time"
)

func TestVerifyPost(t *testing.T) {
	now := time.Date(2026, 3, 4, 10, 0, 0, 0, time.UTC)
	v := &Verifier{Region: "cn-hangzhou", Lookup: func(ak string) (Credentials, bool) { return testCred, ak == testCred.AccessKeyID }}
	const policy = "eyJleHBpcmF0aW9uIjoiMjAzMC0wMS0wMVQwMDowMDowMC4wMDBaIiwiY29uZGl0aW9ucyI6W119"
	v1 := PostForm{Policy: policy, AccessKeyID: testCred.AccessKeyID, Signature: SignPostV1(testCred.AccessKeySecret, policy)}
	sig, cred, date := SignPostV4(testCred, "cn-hangzhou", policy, now)
	v4 := PostForm{Policy: policy, SignatureVersion: PostAlgorithmV4, Credential: cred, Date: date, V4Signature: sig}
	if cred != testCred.AccessKeyID+"/20260304/cn-hangzhou/oss/aliyun_v4_request" || date != "20260304T100000Z" {
		t.Fatalf("SignPostV4 credential %q, date %q", cred, date)
	}
	for _, f := range []PostForm{v1, v4} {
		id, err := v.VerifyPost(f, now.Add(time.Minute))
		if err != nil || id.AccessKeyID != testCred.AccessKeyID {
			t.Errorf("VerifyPost(%+v) = %+v, %v", f, id, err)
		}
	}
	otherRegion := v4
	otherRegion.V4Signature, otherRegion.Credential, _ = SignPostV4(testCred, "cn-beijing", policy, now)
	tests := []struct {
		name string
		f    PostForm
		now  time.Time
		want error
	}{
		{"v1 other policy", with(v1, func(f *PostForm) { f.Policy += "x" }), now, ErrSignatureDoesNotMatch},
		{"v1 no signature", with(v1, func(f *PostForm) { f.Signature = "" }), now, ErrMalformed},
		{"v1 unknown key", with(v1, func(f *PostForm) { f.AccessKeyID = "nobody" }), now, ErrInvalidAccessKeyID},
		{"v1 stray token", with(v1, func(f *PostForm) { f.SecurityToken = "t" }), now, ErrInvalidSecurityToken},
		{"v4 other policy", with(v4, func(f *PostForm) { f.Policy += "x" }), now, ErrSignatureDoesNotMatch},
		{"v4 changed signature", with(v4, func(f *PostForm) { f.V4Signature = "X" + f.V4Signature[1:] }), now, ErrSignatureDoesNotMatch},
		{"v4 algorithm", with(v4, func(f *PostForm) { f.SignatureVersion = "OSS4-HMAC-SHA1" }), now, ErrMalformed},
		{"v4 date of another day", with(v4, func(f *PostForm) { f.Date = "20260305T000000Z" }), now.Add(14 * time.Hour), ErrInvalidSigningDate},
		{"v4 other region", otherRegion, now, ErrInvalidSigningRegion},
		{"v4 from the future", v4, now.Add(-16 * time.Minute), ErrRequestTimeTooSkewed},
		{"v4 older than 7 days", v4, now.Add(MaxPresignExpiry + time.Second), ErrExpired},
	}
	for _, tt := range tests {
		if _, err := v.VerifyPost(tt.f, tt.now); !errors.Is(err, tt.want) {
			t.Errorf("%s: err = %v, want %v", tt.name, err, tt.want)
		}
	}
}

func with(f PostForm, change func(*PostForm)) PostForm {
	change(&f)
	return f
}
