//! A real pseudo-terminal for the end-to-end tests, in Rust alone: the real binary runs in it
//! as in a clerk's terminal (portable-pty), and a terminal emulator (vt100) keeps the screen it
//! draws, so a fresh machine with only Rust runs these tests.

use std::io::{Read, Write};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use portable_pty::{CommandBuilder, PtySize, native_pty_system};

pub struct Pty {
    screen: Arc<Mutex<vt100::Parser>>,
    writer: Arc<Mutex<Box<dyn Write + Send>>>,
    child: Box<dyn portable_pty::Child + Send + Sync>,
    // Kept open for the child's lifetime.
    _master: Box<dyn portable_pty::MasterPty + Send>,
}

impl Pty {
    /// Runs `bin` with `args` in a `cols`×`rows` terminal, with exactly the environment given
    /// (plus a terminal type and a UTF-8 locale) and nothing of the test's own.
    pub fn spawn(bin: &std::path::Path, args: &[&str], env: &[(&str, &str)], cols: u16, rows: u16) -> Pty {
        let pair = native_pty_system()
            .openpty(PtySize { rows, cols, pixel_width: 0, pixel_height: 0 })
            .expect("a pseudo-terminal");
        let mut cmd = CommandBuilder::new(bin);
        cmd.args(args);
        cmd.env_clear();
        cmd.env("TERM", "xterm-256color");
        cmd.env("LANG", "C.UTF-8");
        if let Ok(path) = std::env::var("PATH") {
            cmd.env("PATH", path);
        }
        for (k, v) in env {
            cmd.env(k, v);
        }
        let child = pair.slave.spawn_command(cmd).expect("the program starts in the terminal");
        drop(pair.slave);
        let screen =
            Arc::new(Mutex::new(vt100::Parser::new(rows.try_into().expect("rows"), cols.try_into().expect("cols"), 0)));
        let writer = Arc::new(Mutex::new(pair.master.take_writer().expect("the terminal's input")));
        let mut reader = pair.master.try_clone_reader().expect("the terminal's output");
        let (s, w) = (screen.clone(), writer.clone());
        std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            // The last bytes of the previous read: a question may arrive split across two.
            let mut tail: Vec<u8> = Vec::new();
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 {
                    break;
                }
                let mut p = s.lock().unwrap();
                p.process(&buf[..n]);
                let mut seen = std::mem::take(&mut tail);
                seen.extend_from_slice(&buf[..n]);
                tail = seen[seen.len().saturating_sub(3)..].to_vec();
                // A program asking where the cursor is gets the answer a terminal gives.
                if seen.windows(4).any(|x| x == b"\x1b[6n") {
                    let (row, col) = p.screen().cursor_position();
                    let _ = write!(w.lock().unwrap(), "\x1b[{};{}R", row + 1, col + 1);
                }
            }
        });
        Pty { screen, writer, child, _master: pair.master }
    }

    /// The screen as text, one line per row.
    pub fn screen(&self) -> String {
        self.screen.lock().unwrap().screen().contents()
    }

    /// Waits (up to 20 s) until the screen shows `text`, and returns the screen.
    pub fn wait_for(&self, text: &str) -> String {
        let start = Instant::now();
        loop {
            let s = self.screen();
            if s.contains(text) {
                return s;
            }
            assert!(start.elapsed() < Duration::from_secs(20), "waited for {text:?}; the screen is:\n{s}");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Presses keys, named as tmux names them: `Tab`, `BTab`, `Enter`, `Escape`, `Space`,
    /// `BSpace`, `Up` … `Left`, `C-x`; anything else is typed as it is.
    pub fn keys(&self, keys: &[&str]) {
        for k in keys {
            let bytes: Vec<u8> = match *k {
                "Tab" => b"\t".to_vec(),
                "BTab" => b"\x1b[Z".to_vec(),
                "Enter" => b"\r".to_vec(),
                "Escape" => b"\x1b".to_vec(),
                "Space" => b" ".to_vec(),
                "BSpace" => b"\x7f".to_vec(),
                "Up" => b"\x1b[A".to_vec(),
                "Down" => b"\x1b[B".to_vec(),
                "Right" => b"\x1b[C".to_vec(),
                "Left" => b"\x1b[D".to_vec(),
                k if k.len() == 3 && k.starts_with("C-") => vec![k.as_bytes()[2].to_ascii_lowercase() & 0x1f],
                k => k.as_bytes().to_vec(),
            };
            self.send(&bytes);
            // One key at a time, as fingers press them: an escape is not read as the start of
            // the next key's sequence.
            std::thread::sleep(Duration::from_millis(30));
        }
    }

    /// Resizes the terminal (the program hears SIGWINCH, as when a clerk drags the window).
    pub fn resize(&self, cols: u16, rows: u16) {
        // The emulator takes the new size first: what the program draws after it hears the
        // resize must land on a screen of that size.
        self.screen
            .lock()
            .unwrap()
            .screen_mut()
            .set_size(rows.try_into().expect("rows"), cols.try_into().expect("cols"));
        self._master.resize(PtySize { rows, cols, pixel_width: 0, pixel_height: 0 }).expect("resize");
    }

    /// Types `text` as it is (Chinese included).
    pub fn type_text(&self, text: &str) {
        self.send(text.as_bytes());
    }

    fn send(&self, bytes: &[u8]) {
        let mut w = self.writer.lock().unwrap();
        w.write_all(bytes).unwrap();
        w.flush().unwrap();
    }

    /// Waits (up to 20 s) for the program to end, and returns its exit code.
    pub fn wait_exit(&mut self) -> u32 {
        let start = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status.exit_code();
            }
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "the program did not end; the screen is:\n{}",
                self.screen()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Pty {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
