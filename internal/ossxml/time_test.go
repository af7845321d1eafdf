package ossxml

import (
	"testing"
	"time"
)

func TestTimeMarshalText(t *testing.T) {
	hangzhou := time.FixedZone("CST", 8*3600)
	tests := []struct {
		name string
		in   time.Time
		want string
	}{
		{"whole seconds", time.Date(2012, 2, 24, 8, 43, 7, 0, time.UTC), "2012-02-24T08:43:07.000Z"},
		{"milliseconds", time.Date(2012, 2, 24, 8, 43, 7, 5e6, time.UTC), "2012-02-24T08:43:07.005Z"},
		{"sub-millisecond truncated", time.Date(2012, 2, 24, 8, 43, 7, 999999999, time.UTC), "2012-02-24T08:43:07.999Z"},
		{"converted to UTC", time.Date(2012, 2, 24, 16, 43, 7, 0, hangzhou), "2012-02-24T08:43:07.000Z"},
		{"zero", time.Time{}, "0001-01-01T00:00:00.000Z"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Time{tt.in}.MarshalText()
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Errorf("MarshalText = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestTimeUnmarshalText(t *testing.T) {
	tests := []struct {
		in      string
		want    time.Time
		wantErr bool
	}{
		{in: "2012-02-24T08:43:07.000Z", want: time.Date(2012, 2, 24, 8, 43, 7, 0, time.UTC)},
		{in: "2012-02-24T08:43:07.123Z", want: time.Date(2012, 2, 24, 8, 43, 7, 123e6, time.UTC)},
		{in: "2012-02-24T08:43:07Z", want: time.Date(2012, 2, 24, 8, 43, 7, 0, time.UTC)},
		{in: "2012-02-24T08:43:07.123456789Z", want: time.Date(2012, 2, 24, 8, 43, 7, 123456789, time.UTC)},
		{in: "2012-02-24T16:43:07+08:00", want: time.Date(2012, 2, 24, 8, 43, 7, 0, time.UTC)},
		{in: " 2012-02-24T08:43:07.000Z\n", want: time.Date(2012, 2, 24, 8, 43, 7, 0, time.UTC)},
		{in: "", wantErr: true},
		{in: "Fri, 24 Feb 2012 08:43:07 GMT", wantErr: true},
		{in: "2012-02-24", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			var got Time
			err := got.UnmarshalText([]byte(tt.in))
			if (err != nil) != tt.wantErr {
				t.Fatalf("UnmarshalText(%q) error = %v, wantErr %v", tt.in, err, tt.wantErr)
			}
			if err != nil {
				return
			}
			if !got.Equal(tt.want) || got.Location() != time.UTC {
				t.Errorf("UnmarshalText(%q) = %v, want %v in UTC", tt.in, got.Time, tt.want)
			}
		})
	}
}

func TestTimeInXML(t *testing.T) {
	in := &CopyPartResult{LastModified: Time{time.Date(2024, 3, 1, 6, 38, 23, 450e6, time.UTC)}, ETag: `"E"`}
	out, err := Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	want := xmlProlog + "<CopyPartResult><LastModified>2024-03-01T06:38:23.450Z</LastModified><ETag>&#34;E&#34;</ETag></CopyPartResult>"
	if string(out) != want {
		t.Errorf("Marshal = %q, want %q", out, want)
	}
	var got CopyPartResult
	if err := Unmarshal([]byte("<CopyPartResult><LastModified></LastModified></CopyPartResult>"), &got); err == nil {
		t.Error("Unmarshal accepted an empty time element")
	}
}
