package thumbprint

import (
	"bytes"
	"crypto/x509"
	"encoding/pem"
	"fmt"
)

// ParsePEMChain reads the certificates of a PEM chain in order. Text
// between blocks (such as the subject lines openssl prints) is ignored. It
// fails, saying which block, when a block is not a certificate or its DER
// cannot be parsed, when a block is malformed, and when there is no
// certificate at all.
func ParsePEMChain(data []byte) ([]*x509.Certificate, error) {
	var certs []*x509.Certificate
	rest := data
	for pos := 0; ; pos++ {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			break
		}
		if block.Type != "CERTIFICATE" {
			return nil, fmt.Errorf("PEM block %d is of type %q: expected only CERTIFICATE blocks", pos, block.Type)
		}
		cert, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("PEM block %d is not a valid certificate: %v", pos, err)
		}
		certs = append(certs, cert)
	}
	// pem.Decode skips a damaged block and reads on, so count the BEGIN
	// lines to notice one that was silently dropped.
	begins := bytes.Count(data, []byte("\n-----BEGIN"))
	if bytes.HasPrefix(data, []byte("-----BEGIN")) {
		begins++
	}
	if begins > len(certs) {
		return nil, fmt.Errorf("found %d PEM BEGIN lines but only %d well-formed blocks: a block is truncated or its END line is damaged", begins, len(certs))
	}
	if len(certs) == 0 {
		return nil, fmt.Errorf("expected one or more \"-----BEGIN CERTIFICATE-----\" blocks, found %s", describeInput(data))
	}
	return certs, nil
}

// describeInput says what a chain without PEM blocks holds instead.
func describeInput(data []byte) string {
	trimmed := bytes.TrimSpace(data)
	switch {
	case len(trimmed) == 0:
		return "empty input"
	case trimmed[0] == 0x30:
		return "binary data that looks like DER; encode it as PEM first"
	}
	if len(trimmed) > 40 {
		return fmt.Sprintf("no PEM block in input starting %q…", trimmed[:40])
	}
	return fmt.Sprintf("no PEM block in %q", trimmed)
}
