package ossxml

// CORSConfiguration is the request body of PutBucketCors and the response
// body of GetBucketCors (PUT and GET /?cors): at most 10 rules, tried in
// order.
type CORSConfiguration struct {
	Rules []CORSRule `xml:"CORSRule"`
	// ResponseVary, when "true", makes every answer of the bucket to a
	// request with an Origin carry Vary: Origin.
	ResponseVary string `xml:"ResponseVary,omitempty"`
}

func (CORSConfiguration) rootName() string { return "CORSConfiguration" }

// CORSRule is one <CORSRule> of a [CORSConfiguration]. AllowedOrigin and
// AllowedHeader values may hold one '*', which matches any run of
// characters; AllowedMethod values are GET, PUT, POST, DELETE or HEAD.
type CORSRule struct {
	AllowedOrigins []string `xml:"AllowedOrigin"`
	AllowedMethods []string `xml:"AllowedMethod"`
	AllowedHeaders []string `xml:"AllowedHeader"`
	ExposeHeaders  []string `xml:"ExposeHeader"`
	// MaxAgeSeconds is how long a browser may cache a preflight answer;
	// empty when the rule does not say.
	MaxAgeSeconds string `xml:"MaxAgeSeconds,omitempty"`
}

// PostResponse is the body of a PostObject answer when the form asks for
// success_action_status 201.
type PostResponse struct {
	Bucket   string `xml:"Bucket"`
	Key      string `xml:"Key"`
	ETag     string `xml:"ETag"` // quoted
	Location string `xml:"Location"`
}

func (PostResponse) rootName() string { return "PostResponse" }
