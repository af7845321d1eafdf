package oss

import "github.com/ossup/ossup/oss/internal/transfer"

// PartSizeAt exposes the engine's PartSizeAt to the external tests.
var PartSizeAt = transfer.PartSizeAt
