//! A throwaway PostgreSQL cluster (initdb into a temporary folder, a Unix socket there, md5
//! sign-in, stopped when dropped), for the town's tests and the town's benchmark.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;
use std::process::Command as Std;

/// The town account's password: given to yimen through `PGPASSWORD`, never in the URL.
pub const PASSWORD: &str = "town-secret-26";

/// A PostgreSQL cluster of its own, in a temporary folder, on a Unix socket there.
pub struct Cluster {
    pub dir: tempfile::TempDir,
    bin: PathBuf,
    pub port: u16,
    /// Run the server's programs as this account (PostgreSQL refuses root).
    run_as: Option<&'static str>,
    /// Also listening on 127.0.0.1, TLS only there (`start_tls`).
    tcp: bool,
}

impl Cluster {
    pub fn start() -> Option<Cluster> {
        Cluster::start_with(None)
    }

    /// A cluster that also listens on 127.0.0.1:`port`, where it takes TLS only (the server's
    /// certificate and key in PEM), as a town's server across the county's network.
    pub fn start_tls(cert_pem: &str, key_pem: &str) -> Option<Cluster> {
        Cluster::start_with(Some((cert_pem, key_pem)))
    }

    fn start_with(tls: Option<(&str, &str)>) -> Option<Cluster> {
        let bin = std::fs::read_dir("/usr/lib/postgresql")
            .ok()?
            .filter_map(Result::ok)
            .map(|e| e.path().join("bin"))
            .find(|b| b.join("initdb").exists())?;
        let root = Std::new("id").arg("-u").output().ok().is_some_and(|o| o.stdout.starts_with(b"0\n"));
        let run_as = root.then_some("postgres");
        let dir = tempfile::tempdir().ok()?;
        if run_as.is_some() {
            Std::new("chown").args(["-R", "postgres"]).arg(dir.path()).status().ok()?;
        }
        let port = 20000 + (std::process::id() % 20000) as u16 + (rand_u16() % 1000);
        let c = Cluster { dir, bin, port, run_as, tcp: tls.is_some() };
        let data = c.dir.path().join("data");
        // Signing in takes the password (md5), as on a town's server.
        let pwfile = c.dir.path().join("pw");
        std::fs::write(&pwfile, PASSWORD).ok()?;
        if run_as.is_some() {
            Std::new("chown").args(["postgres"]).arg(&pwfile).status().ok()?;
        }
        let ok = c
            .server("initdb")
            .args(["-U", "town", "--auth=md5", "-E", "UTF8", "--locale=C", "--pwfile"])
            .arg(&pwfile)
            .arg("-D")
            .arg(&data)
            .output()
            .ok()?
            .status
            .success();
        if !ok {
            return None;
        }
        if let Some((cert, key)) = tls {
            use std::io::Write;
            use std::os::unix::fs::PermissionsExt;
            std::fs::write(data.join("server.crt"), cert).ok()?;
            std::fs::write(data.join("server.key"), key).ok()?;
            std::fs::set_permissions(data.join("server.key"), std::fs::Permissions::from_mode(0o600)).ok()?;
            if run_as.is_some() {
                Std::new("chown")
                    .args(["postgres"])
                    .arg(data.join("server.crt"))
                    .arg(data.join("server.key"))
                    .status()
                    .ok()?;
            }
            let mut conf = std::fs::OpenOptions::new().append(true).open(data.join("postgresql.conf")).ok()?;
            writeln!(conf, "ssl = on").ok()?;
            // Across the network: TLS or nothing (the first matching line wins, so these go first).
            let hba = data.join("pg_hba.conf");
            let rest = std::fs::read_to_string(&hba).ok()?;
            std::fs::write(
                &hba,
                format!("hostnossl all all 127.0.0.1/32 reject\nhostssl all all 127.0.0.1/32 md5\n{rest}"),
            )
            .ok()?;
        }
        c.pg_ctl("start");
        c.createdb("town").then_some(c)
    }

    /// A new database in the cluster, owned by the town account.
    pub fn createdb(&self, name: &str) -> bool {
        self.server("createdb")
            .env("PGPASSWORD", PASSWORD)
            .args(["-h"])
            .arg(self.dir.path())
            .args(["-p", &self.port.to_string(), "-U", "town", name])
            .status()
            .is_ok_and(|s| s.success())
    }

    pub fn server(&self, program: &str) -> Std {
        let path = self.bin.join(program);
        match self.run_as {
            Some(user) => {
                let mut c = Std::new("runuser");
                c.args(["-u", user, "--"]).arg(path);
                c
            }
            None => Std::new(path),
        }
    }

    pub fn pg_ctl(&self, what: &str) {
        let listen = if self.tcp { "127.0.0.1" } else { "" };
        let opts = format!("-k {} -p {} -c listen_addresses='{listen}'", self.dir.path().display(), self.port);
        let mut c = self.server("pg_ctl");
        c.arg("-D").arg(self.dir.path().join("data")).args(["-o", &opts, "-l"]).arg(self.dir.path().join("log"));
        if what == "stop" {
            c.args(["-m", "immediate"]);
        }
        let out = c.arg("-w").arg(what).output().unwrap();
        assert!(out.status.success(), "pg_ctl {what}: {}", String::from_utf8_lossy(&out.stderr));
    }

    pub fn url(&self) -> String {
        let host = self.dir.path().display().to_string().replace('/', "%2F");
        format!("postgres://town@{host}:{}/town", self.port)
    }

    /// The URL across the network, TLS required (`start_tls`).
    pub fn tls_url(&self) -> String {
        format!("postgres://town@127.0.0.1:{}/town?sslmode=require", self.port)
    }

    /// One SQL query's rows, through psql: fields separated by `|`.
    pub fn psql(&self, q: &str) -> std::io::Result<std::process::Output> {
        Std::new(self.bin.join("psql"))
            .env("PGPASSWORD", PASSWORD)
            .args(["-X", "-At", "-h"])
            .arg(self.dir.path())
            .args(["-p", &self.port.to_string(), "-U", "town", "-d", "town", "-c", q])
            .output()
    }

    pub fn sql(&self, q: &str) -> Vec<String> {
        let out = self.psql(q).unwrap();
        assert!(out.status.success(), "{q}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap().lines().map(str::to_string).collect()
    }

    /// A count, or 0 while the table is not there yet.
    pub fn try_count(&self, q: &str) -> u64 {
        let out = self.psql(q);
        out.ok().and_then(|o| String::from_utf8_lossy(&o.stdout).trim().parse().ok()).unwrap_or(0)
    }

    pub fn one(&self, q: &str) -> String {
        self.sql(q).into_iter().next().unwrap_or_default()
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let opts = format!("-k {} -p {}", self.dir.path().display(), self.port);
        let _ = self
            .server("pg_ctl")
            .arg("-D")
            .arg(self.dir.path().join("data"))
            .args(["-o", &opts, "-m", "immediate", "stop"])
            .output();
    }
}

fn rand_u16() -> u16 {
    let t = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    (t.subsec_nanos() % 997) as u16
}
