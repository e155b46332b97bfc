package register

import (
	"bufio"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// ErrSeeded is returned by Seed on a database that already has users.
var ErrSeeded = errors.New("register: the database already has users; demo data is only seeded into an empty one")

// SeedOptions adjust the demo data.
type SeedOptions struct {
	// Profiles maps the usernames of the demo's signing officials
	// (SeedSigners) to their personal profiles in Segel; a signer missing
	// from the map gets the profile of the same name as in SeedSigners.
	Profiles map[string]string
	// Passphrases maps the same usernames to their profiles' passphrases,
	// written beside their login passwords (dev mode, where Segel's demo
	// profiles are made with them). Empty: none written.
	Passphrases map[string]string
	// Kabupaten names the regency in the header of the passwords file;
	// empty: "Kabupaten Serang".
	Kabupaten string
	// Now is the creation time; zero: time.Now.
	Now time.Time
}

// SeedSigners are the demo's signing officials: username → the default
// name of their personal profile in Segel (dev mode makes these).
var SeedSigners = map[string]string{
	"bupati":        "dev-bupati",
	"kadis.dpmptsp": "dev-kadis-dpmptsp",
	"kadis.kominfo": "dev-kadis-kominfo",
}

// seedUnit, seedPerson describe the demo tree.
type seedUnit struct{ code, name, kind, parent string }

type seedPerson struct {
	username, name, nip, unit, title, kind, superior string
}

var seedUnits = []seedUnit{
	{"SERANG", "Pemerintah Kabupaten Serang", "kabupaten", ""},
	{"DPMPTSP", "Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu", "opd", "SERANG"},
	{"DPMPTSP.SEKRE", "Sekretariat DPMPTSP", "bidang", "DPMPTSP"},
	{"DPMPTSP.YAN", "Bidang Pelayanan Perizinan", "bidang", "DPMPTSP"},
	{"DPMPTSP.YAN.IZN", "Seksi Perizinan Usaha", "seksi", "DPMPTSP.YAN"},
	{"DISKOMINFOSATPER", "Dinas Komunikasi, Informatika, Statistik dan Persandian", "opd", "SERANG"},
	{"DISKOMINFOSATPER.SEKRE", "Sekretariat DISKOMINFOSATPER", "bidang", "DISKOMINFOSATPER"},
	{"DISKOMINFOSATPER.SANDI", "Bidang Persandian dan Keamanan Informasi", "bidang", "DISKOMINFOSATPER"},
	{"DISKOMINFOSATPER.SANDI.TTE", "Seksi Sertifikat Elektronik", "seksi", "DISKOMINFOSATPER.SANDI"},
	{"KEC.CIRUAS", "Kecamatan Ciruas", "kecamatan", "SERANG"},
	{"KEC.KRAMATWATU", "Kecamatan Kramatwatu", "kecamatan", "SERANG"},
}

// The demo people are fictional; their NIPs follow the 18-digit form
// (birth date, appointment month, sex, number) but belong to nobody.
var seedPeople = []seedPerson{
	{"bupati", "H. Ahmad Fadhil Ramdhani, S.H., M.Si.", "", "SERANG", "Bupati Serang", PosBupati, ""},
	{"wabup", "Hj. Siti Nurhasanah, S.E.", "", "SERANG", "Wakil Bupati Serang", PosWakilBupati, "bupati"},
	{"sekda", "Drs. H. Dadang Suryana, M.Si.", "196805121994031007", "SERANG", "Sekretaris Daerah", PosSekda, "bupati"},
	{"tu.setda", "Rina Marlina, A.Md.", "198904152015032002", "SERANG", "Pengadministrasi Umum Sekretariat Daerah", PosClerk, "sekda"},
	{"kadis.dpmptsp", "Ir. H. Bambang Setiawan, M.T.", "197002181996031003", "DPMPTSP", "Kepala Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu", PosEselon2, "sekda"},
	{"sekdis.dpmptsp", "Hj. Euis Kartini, S.Sos., M.M.", "197506102000032004", "DPMPTSP.SEKRE", "Sekretaris DPMPTSP", PosEselon3, "kadis.dpmptsp"},
	{"kabid.dpmptsp", "Agus Salim, S.H., M.H.", "197808222003121005", "DPMPTSP.YAN", "Kepala Bidang Pelayanan Perizinan", PosEselon3, "kadis.dpmptsp"},
	{"kasi.dpmptsp", "Dewi Lestari, S.T.", "198301052008012006", "DPMPTSP.YAN.IZN", "Kepala Seksi Perizinan Usaha", PosEselon4, "kabid.dpmptsp"},
	{"tu.dpmptsp", "Iwan Kurniawan", "198512202010011008", "DPMPTSP.SEKRE", "Pengadministrasi Umum (TU) DPMPTSP", PosClerk, "sekdis.dpmptsp"},
	{"staf.dpmptsp", "Nurul Hidayah, S.AB.", "199207142019032009", "DPMPTSP.YAN.IZN", "Analis Perizinan", PosStaf, "kasi.dpmptsp"},
	{"kadis.kominfo", "Dr. Asep Saepudin, S.Kom., M.T.I.", "197104031997031002", "DISKOMINFOSATPER", "Kepala Dinas Komunikasi, Informatika, Statistik dan Persandian", PosEselon2, "sekda"},
	{"sekdis.kominfo", "Yeni Rohaeni, S.E., M.Ak.", "197611282002122003", "DISKOMINFOSATPER.SEKRE", "Sekretaris DISKOMINFOSATPER", PosEselon3, "kadis.kominfo"},
	{"kabid.kominfo", "Rizal Firmansyah, S.Kom., M.Kom.", "198002092005011004", "DISKOMINFOSATPER.SANDI", "Kepala Bidang Persandian dan Keamanan Informasi", PosEselon3, "kadis.kominfo"},
	{"kasi.kominfo", "Fitri Handayani, S.Kom.", "198709172011012005", "DISKOMINFOSATPER.SANDI.TTE", "Kepala Seksi Sertifikat Elektronik", PosEselon4, "kabid.kominfo"},
	{"tu.kominfo", "Ujang Sopandi", "198803112014031001", "DISKOMINFOSATPER.SEKRE", "Pengadministrasi Umum (TU) DISKOMINFOSATPER", PosClerk, "sekdis.kominfo"},
	{"staf.kominfo", "Putri Ayu Lestari, S.Kom.", "199510232020122008", "DISKOMINFOSATPER.SANDI.TTE", "Pranata Komputer", PosStaf, "kasi.kominfo"},
	{"camat.ciruas", "H. Ujang Rohman, S.STP., M.Si.", "197912012001121002", "KEC.CIRUAS", "Camat Ciruas", PosCamat, "sekda"},
	{"camat.kramatwatu", "Tatang Sutisna, S.IP., M.Si.", "198104172002121003", "KEC.KRAMATWATU", "Camat Kramatwatu", PosCamat, "sekda"},
}

// seedKlasifikasi are common codes of the classification of the
// Permendagri scheme with example retention (JRA) values: active and
// inactive years, then what happens. A regency adjusts them to its own
// JRA in the database.
var seedKlasifikasi = []struct {
	code, name       string
	active, inactive int
	final            string
}{
	{"000", "Umum", 2, 3, "musnah"},
	{"005", "Undangan", 1, 1, "musnah"},
	{"010", "Urusan Dalam (gedung kantor, rumah dinas)", 2, 3, "musnah"},
	{"045", "Kearsipan", 2, 8, "dinilai_kembali"},
	{"050", "Perencanaan", 2, 3, "dinilai_kembali"},
	{"060", "Organisasi dan Ketatalaksanaan", 3, 5, "permanen"},
	{"100", "Pemerintahan", 2, 5, "dinilai_kembali"},
	{"130", "Pemerintahan Wilayah (kecamatan, kelurahan)", 2, 5, "dinilai_kembali"},
	{"180", "Hukum", 3, 7, "permanen"},
	{"400", "Kesejahteraan Rakyat", 2, 3, "musnah"},
	{"500", "Perekonomian", 2, 5, "dinilai_kembali"},
	{"503", "Perizinan", 5, 5, "permanen"},
	{"555", "Komunikasi dan Informatika", 2, 3, "musnah"},
	{"800", "Kepegawaian", 2, 3, "dinilai_kembali"},
	{"900", "Keuangan", 2, 8, "musnah"},
}

// Seeded reports whether the database has users (and so is not seeded).
func Seeded(ctx context.Context, db *DB) (bool, error) {
	var n int
	if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM users`).Scan(&n); err != nil {
		return false, fmt.Errorf("register: counting users: %w", err)
	}
	return n > 0, nil
}

// Seed writes Kabupaten Serang's demo data into an empty database: the
// units, positions and users of SeedSigners and the tree above (Bupati,
// Wakil Bupati, Sekda, two OPD with their Kepala Dinas, Sekretaris, Kabid,
// Kasi, TU and staf, two kecamatan with their Camat), an admin, the JRA
// classification and the number pattern. Every user gets a random
// password, written once to w (and nowhere else: the database keeps only
// its argon2id hash). It refuses (ErrSeeded) when the database has users.
func Seed(ctx context.Context, db *DB, w io.Writer, opts SeedOptions) error {
	if seeded, err := Seeded(ctx, db); err != nil {
		return err
	} else if seeded {
		return ErrSeeded
	}
	now := opts.Now
	if now.IsZero() {
		now = time.Now()
	}
	kab := opts.Kabupaten
	if kab == "" {
		kab = "Kabupaten Serang"
	}
	type account struct {
		username, name, title, password, hash string
	}
	accounts := []*account{{username: "admin", name: "Administrator Register", title: "administrator"}}
	for _, p := range seedPeople {
		accounts = append(accounts, &account{username: p.username, name: p.name, title: p.title})
	}
	// Hash before the transaction, so it does not hold the lock for it.
	for _, a := range accounts {
		a.password = NewPassword()
		h, err := HashPassword(a.password)
		if err != nil {
			return err
		}
		a.hash = h
	}
	hashOf := map[string]string{}
	for _, a := range accounts {
		hashOf[a.username] = a.hash
	}
	return db.Tx(ctx, func(tx *sql.Tx) error {
		units := map[string]*Unit{}
		for _, su := range seedUnits {
			u := &Unit{Code: su.code, Name: su.name, Kind: su.kind}
			if su.parent != "" {
				u.ParentID = units[su.parent].ID
			}
			if err := insertUnit(ctx, tx, u); err != nil {
				return err
			}
			units[su.code] = u
		}
		positions := map[string]*Position{}
		for _, sp := range seedPeople {
			p := &Position{UnitID: units[sp.unit].ID, Title: sp.title, Kind: sp.kind}
			if sp.superior != "" {
				p.ParentID = positions[sp.superior].ID
			}
			if err := insertPosition(ctx, tx, p); err != nil {
				return err
			}
			positions[sp.username] = p
			u := &User{Username: sp.username, Name: sp.name, NIP: sp.nip, PositionID: p.ID}
			if def, ok := SeedSigners[sp.username]; ok {
				u.Profile = def
				if prof, ok := opts.Profiles[sp.username]; ok {
					u.Profile = prof
				}
			}
			if err := insertUser(ctx, tx, u, hashOf[sp.username], now); err != nil {
				return err
			}
		}
		admin := &User{Username: "admin", Name: "Administrator Register", IsAdmin: true}
		if err := insertUser(ctx, tx, admin, hashOf["admin"], now); err != nil {
			return err
		}
		for _, k := range seedKlasifikasi {
			if _, err := tx.ExecContext(ctx, `INSERT INTO klasifikasi (code, name, active_years, inactive_years, final)
				VALUES ($1, $2, $3, $4, $5) ON CONFLICT (code) DO NOTHING`, k.code, k.name, k.active, k.inactive, k.final); err != nil {
				return fmt.Errorf("register: klasifikasi %s: %w", k.code, err)
			}
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES ('number_pattern', $1)
			ON CONFLICT (key) DO NOTHING`, "{klasifikasi}/{urut}/{kode_unit}/{tahun}"); err != nil {
			return fmt.Errorf("register: number pattern: %w", err)
		}
		if err := logEvent(ctx, tx, now, 0, admin.ID, "", "admin.seed", fmt.Sprintf("demo data: %d units, %d users", len(seedUnits), len(accounts))); err != nil {
			return err
		}
		// The passwords go to w last, so a failed write rolls it all back.
		bw := bufio.NewWriter(w)
		fmt.Fprintf(bw, "# Register Surat, %s: demo accounts, created %s.\n", kab, now.UTC().Format(time.RFC3339))
		fmt.Fprintf(bw, "# Each password is shown only here; the register keeps only its hash. Keep this file private.\n")
		fmt.Fprintf(bw, "# username\tpassword\tname — position\n")
		for _, a := range accounts {
			fmt.Fprintf(bw, "%s\t%s\t%s — %s\n", a.username, a.password, a.name, a.title)
		}
		if len(opts.Passphrases) > 0 {
			fmt.Fprintf(bw, "\n%s\n", seedPassphraseSection)
			fmt.Fprintf(bw, "# Signing passphrases of the officials' personal profiles in Segel (dev mode).\n")
			fmt.Fprintf(bw, "# username\tprofile\tpassphrase\n")
			names := make([]string, 0, len(opts.Passphrases))
			for n := range opts.Passphrases {
				names = append(names, n)
			}
			sort.Strings(names)
			for _, n := range names {
				prof := SeedSigners[n]
				if p, ok := opts.Profiles[n]; ok {
					prof = p
				}
				fmt.Fprintf(bw, "%s\t%s\t%s\n", n, prof, opts.Passphrases[n])
			}
		}
		if err := bw.Flush(); err != nil {
			return fmt.Errorf("register: writing the demo passwords: %w", err)
		}
		return nil
	})
}

// SeedFile seeds the database (Seed) and writes the demo passwords to the
// file path, mode 0600, replacing it only once the seed has committed (a
// temporary file is renamed over it), so that the file never holds
// passwords that the database does not.
func SeedFile(ctx context.Context, db *DB, path string, opts SeedOptions) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("register: %w", err)
	}
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("register: %w", err)
	}
	tmp := f.Name()
	defer os.Remove(tmp) // after the rename, a no-op
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		return fmt.Errorf("register: %w", err)
	}
	if err := Seed(ctx, db, f, opts); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("register: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("register: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("register: the demo passwords: %w", err)
	}
	return nil
}

// seedPassphraseSection starts the passphrases section of the passwords file.
const seedPassphraseSection = "# [passphrases]"

// ReadSeedFile reads a passwords file written by Seed: username → login
// password, and username → signing passphrase (dev mode). Tests and the
// tour use it.
func ReadSeedFile(r io.Reader) (passwords, passphrases map[string]string, err error) {
	passwords, passphrases = map[string]string{}, map[string]string{}
	inPass := false
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		line := sc.Text()
		if line == seedPassphraseSection {
			inPass = true
			continue
		}
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Split(line, "\t")
		if len(f) < 3 {
			return nil, nil, fmt.Errorf("register: passwords file: a line without 3 fields")
		}
		if inPass {
			passphrases[f[0]] = f[2]
		} else {
			passwords[f[0]] = f[1]
		}
	}
	return passwords, passphrases, sc.Err()
}

// DemoSigner is a signing official of the demo data, for dev mode to make
// their personal profile in Segel with a matching certificate.
type DemoSigner struct {
	// Username is the official's login in the register.
	Username string
	// Profile is the default name of their personal profile (SeedSigners).
	Profile string
	// Name and Title are as seeded: the certificate's common name and OU.
	Name, Title string
	// NIK is a fictional 16-digit national identity number.
	NIK string
}

// demoNIK are the demo signers' fictional NIKs (Kabupaten Serang's
// region code 36.04, then a made-up birth date and number).
var demoNIK = map[string]string{
	"bupati":        "3604010101700011",
	"kadis.dpmptsp": "3604011802700012",
	"kadis.kominfo": "3604010304710013",
}

// DemoSigners returns the demo's signing officials, by username.
func DemoSigners() []DemoSigner {
	var out []DemoSigner
	for _, p := range seedPeople {
		if prof, ok := SeedSigners[p.username]; ok {
			out = append(out, DemoSigner{Username: p.username, Profile: prof, Name: p.name, Title: p.title, NIK: demoNIK[p.username]})
		}
	}
	return out
}
