package oss

// PartSizeAt exposes partSizeAt to the external tests.
var PartSizeAt = partSizeAt
