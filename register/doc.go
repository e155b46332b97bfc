// Package register is a small letter register (e-office) on top of
// Segel, in the spirit of Sisumaker and ANRI's SRIKANDI: units and
// positions of a regency, incoming letters (surat masuk) with their
// dispositions (disposisi) down the tree, outgoing letters (surat keluar)
// with their paraf chain up the tree and the electronic signature (TTE)
// of the signing official, numbering at the moment of signing, and the
// archive.
//
// The register reaches Segel's signing service through a [Gateway]: in
// process (the default of `make run`), or over HTTP against a running
// `segel serve` ([HTTPGateway]). See docs/register.md.
package register
