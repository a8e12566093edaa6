// Package acctest is the harness for the provider's acceptance tests: a local
// AWS (moto_server serving IAM and STS on loopback), per-test endpoints in
// front of it that record and fault calls, and the checks that the tools the
// tests need are installed.
//
// moto 5.2 lacks AddClientIDToOpenIDConnectProvider and
// RemoveClientIDFromOpenIDConnectProvider; the embedded launcher
// (moto_server.py) adds both before it starts the server, so in-place client
// ID changes are tested rather than skipped.
//
// One moto server serves a whole test binary; each test gets an Endpoint of its
// own, so tests can run in parallel and still assert on exactly the calls they
// caused:
//
//	func TestMain(m *testing.M) { os.Exit(acctest.RunMain(m)) }
//
//	func TestAccProvider_x(t *testing.T) {
//		acctest.RequireTerraform(t)
//		ep := acctest.EndpointForTest(t)
//		ep.Fail("CreateRole", 2, acctest.Throttling())
//		// configure the provider with endpoints { iam = ep.URL, sts = ep.URL },
//		// access_key/secret_key acctest.AccessKey/SecretKey, region acctest.Region
//		// ...
//		if n := ep.Count("CreateRole"); n != 3 { ... }
//	}
//
// Endpoints also inject seeded random faults (InjectRandomFaults: throttling,
// 5xx, connection resets, slow answers, and answers lost after moto acted),
// count them by kind, and tell a test when a number of calls has arrived
// (Reached).
//
// For suites that need more than terraform-plugin-testing offers — exit
// statuses of plan -detailed-exitcode, a provider process to kill in the
// middle of an apply — BuildProvider compiles the provider binary (with -race
// under the race detector), StartProvider runs it in debug mode, and a
// Workspace drives the Terraform CLI attached to it. ReadIAM reads one test's
// OIDC providers and roles straight from moto, and CompareIAM compares them
// with a Terraform state: same objects, ARNs, trust policies (by meaning),
// policies and tags, nothing orphaned, nothing held twice.
//
// A missing python3, moto or terraform fails the test with instructions to
// install it; nothing here skips a test.
package acctest
