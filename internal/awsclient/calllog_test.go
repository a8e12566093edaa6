package awsclient

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/hashicorp/terraform-plugin-log/tflogtest"
)

// logBuffer collects log output written from many goroutines.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func digest(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// trustDocument is a distinct trust policy for call i, between about 1 and 9 KiB, so
// that bodies of different calls differ in content and in size.
func trustDocument(i int) string {
	var subjects []string
	for j := 0; j < 20+(i%7)*40; j++ {
		subjects = append(subjects, fmt.Sprintf(`"repo:org-%d/repo-%d:ref:refs/heads/b%d"`, i, j, j))
	}
	return fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow",`+
		`"Principal":{"Federated":"arn:aws:iam::123456789012:oidc-provider/idp-%d.example.com"},`+
		`"Action":"sts:AssumeRoleWithWebIdentity",`+
		`"Condition":{"StringLike":{"idp-%d.example.com:sub":[%s]}}}]}`, i, i, strings.Join(subjects, ","))
}

// inlinePolicy is the document the server derives from a role and policy name.
func inlinePolicy(role, policy string) string {
	var actions []string
	for j := 0; j < 30+len(role)%5*30; j++ {
		actions = append(actions, fmt.Sprintf(`"iam:Get%s%s%d"`, role, policy, j))
	}
	return fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":[%s],"Resource":"*"}]}`, strings.Join(actions, ","))
}

const providerARNPrefix = "arn:aws:iam::123456789012:oidc-provider/"

// echoIAM answers every call from its own request alone: CreateRole echoes the role
// name and the trust document with its digest, GetOpenIDConnectProvider derives the
// URL, client ID and thumbprint from the ARN, GetRolePolicy derives the document from
// the names.
func echoIAM(form url.Values) answer {
	switch form.Get("Action") {
	case "CreateRole":
		name, doc := form.Get("RoleName"), form.Get("AssumeRolePolicyDocument")
		return queryResult("CreateRole", fmt.Sprintf(`<Role><Path>/</Path><RoleName>%[1]s</RoleName><RoleId>AROA%[2]s</RoleId>`+
			`<Arn>arn:aws:iam::123456789012:role/%[1]s</Arn><CreateDate>2026-01-01T00:00:00Z</CreateDate>`+
			`<AssumeRolePolicyDocument>%[3]s</AssumeRolePolicyDocument><Description>%[4]s</Description></Role>`,
			html.EscapeString(name), digest(name)[:16], url.QueryEscape(doc), digest(doc)))
	case "GetOpenIDConnectProvider":
		arn := form.Get("OpenIDConnectProviderArn")
		d := digest(arn)
		return queryResult("GetOpenIDConnectProvider", fmt.Sprintf(`<ThumbprintList><member>%s</member></ThumbprintList>`+
			`<CreateDate>2026-01-01T00:00:00Z</CreateDate><ClientIDList><member>client-%s</member></ClientIDList><Url>%s</Url><Tags/>`,
			d[:40], d[40:], html.EscapeString(strings.TrimPrefix(arn, providerARNPrefix))))
	case "GetRolePolicy":
		role, policy := form.Get("RoleName"), form.Get("PolicyName")
		return queryResult("GetRolePolicy", fmt.Sprintf(`<RoleName>%s</RoleName><PolicyName>%s</PolicyName><PolicyDocument>%s</PolicyDocument>`,
			html.EscapeString(role), html.EscapeString(policy), url.QueryEscape(inlinePolicy(role, policy))))
	}
	return queryError(http.StatusBadRequest, "InvalidAction", "could not read the action from the request: "+form.Encode())
}

// The provider's client, with debug logging on, under many concurrent calls: each
// answer must be the one for its own request. aws-sdk-go-base v2.0.0-beta.74's body
// logger shares buffers between calls and fails this (see go.mod).
func TestClient_concurrentCallsKeepTheirOwnBodies(t *testing.T) {
	const calls = 400
	srv := startQueryServer(t, echoIAM)
	logs := &logBuffer{}
	ctx := tflogtest.RootLogger(context.Background(), logs)
	c := newTestClient(ctx, t, srv, 1)

	check := func(i int) error {
		switch i % 3 {
		case 0:
			name, doc := fmt.Sprintf("role-%04d", i), trustDocument(i)
			out, err := c.IAM.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(name), AssumeRolePolicyDocument: aws.String(doc)})
			if err != nil {
				return err
			}
			got, _ := url.QueryUnescape(aws.ToString(out.Role.AssumeRolePolicyDocument))
			if aws.ToString(out.Role.RoleName) != name || aws.ToString(out.Role.Description) != digest(doc) || got != doc {
				return fmt.Errorf("CreateRole %s: answered for role %q with digest %.12s…, want digest %.12s…",
					name, aws.ToString(out.Role.RoleName), aws.ToString(out.Role.Description), digest(doc))
			}
		case 1:
			arn := fmt.Sprintf("%sidp-%04d.example.com/tenant/%d", providerARNPrefix, i, i*7919)
			out, err := c.IAM.GetOpenIDConnectProvider(ctx, &iam.GetOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(arn)})
			if err != nil {
				return err
			}
			d := digest(arn)
			if aws.ToString(out.Url) != strings.TrimPrefix(arn, providerARNPrefix) ||
				len(out.ThumbprintList) != 1 || out.ThumbprintList[0] != d[:40] ||
				len(out.ClientIDList) != 1 || out.ClientIDList[0] != "client-"+d[40:] {
				return fmt.Errorf("GetOpenIDConnectProvider %s: answered with URL %q", arn, aws.ToString(out.Url))
			}
		case 2:
			role, policy := fmt.Sprintf("role-%04d", i), fmt.Sprintf("inline-%d", i*31)
			out, err := c.IAM.GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: aws.String(role), PolicyName: aws.String(policy)})
			if err != nil {
				return err
			}
			got, _ := url.QueryUnescape(aws.ToString(out.PolicyDocument))
			if aws.ToString(out.RoleName) != role || aws.ToString(out.PolicyName) != policy || got != inlinePolicy(role, policy) {
				return fmt.Errorf("GetRolePolicy %s/%s: answered for %s/%s", role, policy, aws.ToString(out.RoleName), aws.ToString(out.PolicyName))
			}
		}
		return nil
	}

	errs := make([]error, calls)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range calls {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			errs[i] = check(i)
		}()
	}
	close(start)
	wg.Wait()

	var failed []string
	for i, err := range errs {
		if err != nil {
			failed = append(failed, fmt.Sprintf("call %d: %v", i, err))
		}
	}
	if len(failed) > 0 {
		t.Errorf("%d of %d concurrent calls got an answer that was not theirs or failed; the first ones:\n%s",
			len(failed), calls, strings.Join(failed[:min(len(failed), 8)], "\n"))
	}
	// Debug logging was on: the bodies went through the logger.
	if log := logs.String(); !strings.Contains(log, "CreateRole") || !strings.Contains(log, "GetRolePolicy") {
		t.Errorf("the calls were not logged at debug level; log starts %.500q", log)
	}
}

// jwt makes a token shaped like a real one: RS256 header, claims, 256-byte signature.
func jwt(t *testing.T) (token, claims, signature string) {
	t.Helper()
	enc := base64.RawURLEncoding
	sig := make([]byte, 256)
	if _, err := rand.Read(sig); err != nil {
		t.Fatal(err)
	}
	header := enc.EncodeToString([]byte(`{"alg":"RS256","kid":"key-1","typ":"JWT"}`))
	claims = enc.EncodeToString([]byte(`{"iss":"https://idp.test","sub":"repo:octo-org/octo-repo:ref:refs/heads/main","aud":"sts.amazonaws.com","email":"someone@example.com","exp":4102444800}`))
	signature = enc.EncodeToString(sig)
	return header + "." + claims + "." + signature, claims, signature
}

func randomString(t *testing.T, n int) string {
	t.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return base64.RawStdEncoding.EncodeToString(b)
}

// With TRACE logging, a token exchange and IAM calls leave the operations in the log
// but no token, token signature, secret access key or session token.
func TestClient_logsCallsWithoutSecrets(t *testing.T) {
	token, claims, signature := jwt(t)
	accessKeyID := "ASIA" + strings.ToUpper(hex.EncodeToString([]byte(randomString(t, 6))))[:16]
	secretKey := randomString(t, 30)
	sessionToken := "FwoGZXIvYXdzE" + randomString(t, 300)
	srv := startQueryServer(t, func(form url.Values) answer {
		switch form.Get("Action") {
		case "AssumeRoleWithWebIdentity":
			if form.Get("RoleSessionName") == "careless" {
				// An endpoint that quotes the token back in its error message.
				return queryError(http.StatusBadRequest, "InvalidIdentityToken", "cannot verify "+form.Get("WebIdentityToken"))
			}
			if form.Get("WebIdentityToken") != token {
				return queryError(http.StatusBadRequest, "InvalidIdentityToken", "not the token sent")
			}
			return queryResult("AssumeRoleWithWebIdentity", fmt.Sprintf(`<SubjectFromWebIdentityToken>repo:octo-org/octo-repo:ref:refs/heads/main</SubjectFromWebIdentityToken>`+
				`<Audience>sts.amazonaws.com</Audience><AssumedRoleUser><Arn>arn:aws:sts::123456789012:assumed-role/deploy/s1</Arn>`+
				`<AssumedRoleId>AROAEXAMPLE:s1</AssumedRoleId></AssumedRoleUser>`+
				`<Credentials><SessionToken>%s</SessionToken><SecretAccessKey>%s</SecretAccessKey>`+
				`<Expiration>2030-01-01T00:00:00Z</Expiration><AccessKeyId>%s</AccessKeyId></Credentials>`+
				`<Provider>https://idp.test</Provider>`, sessionToken, secretKey, accessKeyID))
		}
		return echoIAM(form)
	})
	logs := &logBuffer{}
	ctx := tflogtest.RootLogger(context.Background(), logs)
	c := newTestClient(ctx, t, srv, 1)

	creds, err := c.AssumeRoleWithWebIdentity(ctx, WebIdentityRequest{
		RoleARN: "arn:aws:iam::123456789012:role/deploy", Token: token, SessionName: "s1", Duration: time.Hour,
	})
	if err != nil {
		t.Fatal(err)
	}
	if creds.SecretAccessKey != secretKey || creds.SessionToken != sessionToken || creds.AccessKeyID != accessKeyID {
		t.Fatalf("credentials not read back: %+v", creds)
	}
	if _, err := c.AssumeRoleWithWebIdentity(ctx, WebIdentityRequest{
		RoleARN: "arn:aws:iam::123456789012:role/deploy", Token: token, SessionName: "careless",
	}); err == nil {
		t.Fatal("the careless endpoint's error was not returned")
	}
	if _, err := c.IAM.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("deploy"), AssumeRolePolicyDocument: aws.String(trustDocument(1))}); err != nil {
		t.Fatal(err)
	}

	log := logs.String()
	for what, secret := range map[string]string{
		"the web identity token": token, "the token's signature": signature, "the token's claims": claims,
		"the secret access key": secretKey, "the session token": sessionToken, "the access key ID": accessKeyID,
		"the provider's secret key": testSecretKey,
	} {
		if strings.Contains(log, secret) {
			t.Errorf("the log holds %s", what)
		}
	}
	// Logging was on and told what happened.
	for _, want := range []string{
		`"aws.operation":"AssumeRoleWithWebIdentity"`, `"aws.operation":"CreateRole"`, `"aws.service":"STS"`,
		"RoleSessionName=s1", "role%2Fdeploy", accessKeyID[:4] + mask, "deploy", `"http.status_code":200`, `"http.status_code":400`,
		`"aws.request_id":"req-0000"`,
	} {
		if !strings.Contains(log, want) {
			t.Errorf("the log lacks %s; it reads:\n%s", want, log)
		}
	}
}

func TestRedactForm_masksSecretParametersOnly(t *testing.T) {
	cases := map[string]string{
		"Action=AssumeRoleWithWebIdentity&WebIdentityToken=abc.def.ghi&RoleSessionName=s": "Action=AssumeRoleWithWebIdentity&WebIdentityToken=" + mask + "&RoleSessionName=s",
		"Action=AssumeRoleWithSAML&SAMLAssertion=PHNhbWw%2B&RoleArn=arn":                  "Action=AssumeRoleWithSAML&SAMLAssertion=" + mask + "&RoleArn=arn",
		"Action=CreateLoginProfile&UserName=u&Password=hunter2":                           "Action=CreateLoginProfile&UserName=u&Password=" + mask,
		"Action=X&Credentials.SecretAccessKey=s&AccessKeyId=AKIAEXAMPLE1234":              "Action=X&Credentials.SecretAccessKey=" + mask + "&AccessKeyId=AKIA" + url.QueryEscape(mask),
		"Action=GetSessionToken&TokenCode=123456&SerialNumber=arn":                        "Action=GetSessionToken&TokenCode=" + mask + "&SerialNumber=arn",
		"Action=CreateRole&RoleName=r&AssumeRolePolicyDocument=%7B%7D":                    "Action=CreateRole&RoleName=r&AssumeRolePolicyDocument=%7B%7D",
		"Action=X&Message=eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln":                      "Action=X&Message=[JWT masked]",
	}
	for in, want := range cases {
		if got := redactForm([]byte(in)); got != want {
			t.Errorf("redactForm(%s)\n got %s\nwant %s", in, got, want)
		}
	}
}

func TestRedactXML_masksSecretElementsAndWhatTheyHold(t *testing.T) {
	cases := []struct{ in, want string }{
		{`<R><Credentials><SessionToken>tok</SessionToken><SecretAccessKey>sec</SecretAccessKey><Expiration>2030</Expiration><AccessKeyId>ASIAXYZXYZXYZ</AccessKeyId></Credentials><Provider>p</Provider></R>`,
			`<R><Credentials><SessionToken>` + mask + `</SessionToken><SecretAccessKey>` + mask + `</SecretAccessKey><Expiration>` + mask + `</Expiration><AccessKeyId>ASIA` + mask + `</AccessKeyId></Credentials><Provider>p</Provider></R>`},
		{`<R><ServicePassword><![CDATA[pw]]></ServicePassword><UserName>u</UserName></R>`,
			`<R><ServicePassword>` + mask + `</ServicePassword><UserName>u</UserName></R>`},
		{`<R><Role><RoleName>r</RoleName></Role></R>`, `<R><Role><RoleName>r</RoleName></Role></R>`},
		// Not XML to the end: the tag pattern masks what parsing could not reach.
		{`<R><X>1</X><<SessionToken>tok</SessionToken>`, `<R><X>1</X><<SessionToken>` + mask + `</SessionToken>`},
		{`<R><SecretAccessKey>sec & more`, `<R><SecretAccessKey>` + mask},
		{`<!doctype html><html lang=en><title>500 Internal Server Error</title>`, `<!doctype html><html lang=en><title>500 Internal Server Error</title>`},
		{`<Error><Message>bad token eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln</Message></Error>`, `<Error><Message>bad token [JWT masked]</Message></Error>`},
	}
	for _, c := range cases {
		if got := redactXML([]byte(c.in)); got != c.want {
			t.Errorf("redactXML(%s)\n got %s\nwant %s", c.in, got, c.want)
		}
	}
}
