package localidp

// TB is the part of testing.TB that StartForTest uses; *testing.T and *testing.B
// satisfy it. It keeps the testing package out of programs that start a Server.
type TB interface {
	Helper()
	Fatalf(format string, args ...any)
	Cleanup(func())
}

// StartForTest starts a Server, fails the test if it cannot, and closes it when the
// test ends.
func StartForTest(t TB, cfg Config) *Server {
	t.Helper()
	s, err := Start(cfg)
	if err != nil {
		t.Fatalf("starting local IdP: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}
