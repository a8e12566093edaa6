// Package awsclient is the provider's only door to AWS: it resolves configuration the way
// the AWS provider does (through aws-sdk-go-base), builds IAM and STS clients behind narrow
// interfaces, classifies errors, retries IAM's eventual-consistency failures but never an
// error no retry can fix, and logs every call at DEBUG with its secrets masked.
package awsclient
