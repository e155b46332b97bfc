package register

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/segel-id/segel/internal/service"
	"github.com/segel-id/segel/signer"
)

// ServiceGateway signs in the register's own process, through Segel's
// signing service: the very service behind `segel serve`'s /v1/sign and
// BSrE API (httpapi.Server.Service), with its profiles, concurrency
// bounds, passphrase lock-out, register and audit log. It is what the
// development mode (`segel serve --dev`, `make run`) uses; HTTPGateway is
// the same over the network.
//
// Like HTTPGateway, it writes to out only once the signed PDF is whole
// (it is made in a temporary file first), and its refusals are
// *GatewayErrors with the same kinds and statuses.
type ServiceGateway struct {
	// Service is Segel's signing service.
	Service *service.Service
	// Client names the register in Segel's register and audit log;
	// "register" when empty.
	Client string
	// TempDir is where signed PDFs are made; os.TempDir() when empty.
	TempDir string
}

// Sign implements Gateway. It uses req.Passphrase without copying it;
// the caller clears it after Sign returns.
func (g *ServiceGateway) Sign(ctx context.Context, req *SignRequest, out io.Writer) (*SignResult, error) {
	if g.Service == nil {
		return nil, errors.New("segel: ServiceGateway without a Service")
	}
	if req.PDF == nil || req.Size <= 0 {
		return nil, errors.New("segel: no PDF to sign")
	}
	sreq, err := g.request(ctx, req)
	if err != nil {
		return nil, err
	}
	f, err := os.CreateTemp(g.TempDir, "segel-signed-*.pdf")
	if err != nil {
		return nil, fmt.Errorf("segel: a temporary file for the signed PDF: %w", err)
	}
	defer func() {
		f.Close()
		os.Remove(f.Name())
	}()
	sreq.Output = f
	res, err := g.Service.Sign(ctx, sreq)
	if err != nil {
		return nil, gatewayError(err)
	}
	n, err := io.Copy(out, res.Signed)
	if err != nil {
		return nil, fmt.Errorf("segel: writing the signed PDF: %w", err)
	}
	return &SignResult{DocumentID: res.Document.ID, VerifyURL: res.VerifyURL, Size: n}, nil
}

// request is the service's request for req, read as /v1/sign reads the
// query HTTPGateway sends.
// A request refused here is audited, as /v1/sign audits what it refuses
// once the profile is known.
func (g *ServiceGateway) request(ctx context.Context, req *SignRequest) (*service.Request, error) {
	prof := g.Service.Profile(req.Profile)
	if prof == nil {
		return nil, gatewayError(service.Fail("unknown-profile", "profile "+req.Profile))
	}
	client := g.Client
	if client == "" {
		client = "register"
	}
	sreq := &service.Request{
		Profile: prof, Level: prof.DefaultLevel, Reason: prof.Reason, Location: prof.Location,
		Number: req.Number, Subject: req.Subject, Title: req.Title, NIP: req.NIP, Confidential: req.Confidential,
		Passphrase: req.Passphrase, Input: req.PDF, Size: req.Size,
		Client: client, ClientAddr: req.ClientAddr, RequestID: service.NewID(),
	}
	if req.Level != "" {
		l, err := signer.ParseLevel(req.Level)
		if err != nil {
			return nil, g.refuse(ctx, sreq, service.Fail("bad-request", "level must be B-B, B-T, B-LT or B-LTA"))
		}
		sreq.Level = l
	}
	if req.Anchor != "" {
		pl, err := signer.ParseVisibleSpec("anchor=" + req.Anchor)
		if err != nil {
			return nil, g.refuse(ctx, sreq, service.Fail("bad-request", "visible: not a placement (page=N;rect=X1,Y1,X2,Y2, field=NAME or anchor=TEXT)"))
		}
		sreq.Visible = &service.Visible{Placement: *pl}
	}
	if prof.Personal && len(req.Passphrase) > 0 {
		// As /v1/sign does before reading a body: a locked-out official
		// takes no signing slot.
		if e := g.Service.LockedOut(ctx, prof, req.ClientAddr); e != nil {
			return nil, g.refuse(ctx, sreq, e)
		}
	}
	return sreq, nil
}

// refuse audits a request refused before it reached the service.
func (g *ServiceGateway) refuse(ctx context.Context, req *service.Request, e *service.Error) error {
	g.Service.Refused(ctx, req, e)
	return gatewayError(e)
}

// gatewayError is the GatewayError of a failure of the service.
func gatewayError(err error) error {
	var e *service.Error
	if !errors.As(err, &e) {
		return err
	}
	return &GatewayError{Kind: e.Kind, Status: e.Status(), Detail: e.Detail, RetryAfter: e.RetryAfter}
}
