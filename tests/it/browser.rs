//! A real browser for the public pages: Debian's headless Chromium driven through its
//! WebDriver (chromium-driver) by fantoccini. Each test starts its own driver on a free port;
//! each `Page` is a session of its own (its own profile, so its own cookies: two pads are two
//! devices).

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};

use super::common::skip;

fn first_present(env: &str, paths: &[&str]) -> Option<PathBuf> {
    if let Some(p) = std::env::var_os(env) {
        return Some(PathBuf::from(p));
    }
    paths.iter().map(PathBuf::from).find(|p| p.exists())
}

pub struct Browser {
    // Dropped last: the next browser test starts once this one's driver is gone.
    _turn: std::sync::MutexGuard<'static, ()>,
    driver: Child,
    url: String,
    chromium: PathBuf,
    pub rt: tokio::runtime::Runtime,
}

impl Browser {
    /// The driver, started; `None` (with `SKIPPED`, or a failure under CI) without Chromium and
    /// its driver.
    pub fn start() -> Option<Browser> {
        let chromium = first_present(
            "YIMEN_CHROMIUM",
            &["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"],
        );
        let driver = first_present("YIMEN_CHROMEDRIVER", &["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"]);
        let (Some(chromium), Some(driver)) = (chromium, driver) else {
            skip("chromium and chromium-driver (a real browser)");
            return None;
        };
        let turn = super::common::machine_turn();
        let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let child = Command::new(driver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        let deadline = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "chromedriver did not listen");
            std::thread::sleep(Duration::from_millis(50));
        }
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        Some(Browser { _turn: turn, driver: child, url: format!("http://127.0.0.1:{port}"), chromium, rt })
    }

    /// A new browser window of `width`×`height` CSS pixels, in Chinese.
    pub fn page(&self, width: u32, height: u32) -> Page<'_> {
        let mut caps = serde_json::Map::new();
        caps.insert(
            "goog:chromeOptions".into(),
            json!({
                "binary": self.chromium,
                "args": [
                    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--hide-scrollbars", "--lang=zh-CN", "--force-device-scale-factor=1",
                    "--autoplay-policy=no-user-gesture-required",
                    format!("--window-size={width},{height}"),
                ],
                "prefs": { "intl.accept_languages": "zh-CN,zh" },
            }),
        );
        let client = self.rt.block_on(async {
            let http = hyper_util::client::legacy::connect::HttpConnector::new();
            ClientBuilder::new(http).capabilities(caps).connect(&self.url).await.expect("a session")
        });
        let page = Page { b: self, c: client };
        // The viewport itself, whatever the window's frame takes.
        let (w, h) = page.viewport();
        if (w, h) != (width, height) {
            let (ow, oh) = (width + (width - w.min(width)), height + (height - h.min(height)));
            self.rt.block_on(page.c.set_window_size(ow, oh)).unwrap();
        }
        page
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

pub struct Page<'b> {
    b: &'b Browser,
    pub c: Client,
}

impl Page<'_> {
    pub fn goto(&self, url: &str) {
        self.b.rt.block_on(self.c.goto(url)).unwrap();
    }

    /// Runs `script` (a function body; `arguments` as in WebDriver) and gives its result.
    pub fn js(&self, script: &str) -> Value {
        self.b.rt.block_on(self.c.execute(script, vec![])).unwrap_or_else(|e| panic!("{script}: {e}"))
    }

    pub fn viewport(&self) -> (u32, u32) {
        let v = self.js("return [window.innerWidth, window.innerHeight]");
        (v[0].as_u64().unwrap() as u32, v[1].as_u64().unwrap() as u32)
    }

    pub fn click(&self, css: &str) {
        self.wait_for(css, Duration::from_secs(10));
        self.b.rt.block_on(async { self.c.find(Locator::Css(css)).await?.click().await }).unwrap_or_else(|e| {
            panic!("click {css}: {e}");
        });
    }

    pub fn type_into(&self, css: &str, text: &str) {
        self.wait_for(css, Duration::from_secs(10));
        self.b.rt.block_on(async { self.c.find(Locator::Css(css)).await?.send_keys(text).await }).unwrap();
    }

    /// The text of the first element `css` matches ("" when there is none).
    pub fn text(&self, css: &str) -> String {
        let v = self.js(&format!("const e = document.querySelector({}); return e ? e.innerText : ''", json!(css)));
        v.as_str().unwrap_or("").to_string()
    }

    pub fn exists(&self, css: &str) -> bool {
        self.js(&format!("return !!document.querySelector({})", json!(css))).as_bool().unwrap_or(false)
    }

    /// Waits up to `limit` for `css` to match; whether it did.
    pub fn wait_for(&self, css: &str, limit: Duration) -> bool {
        self.until(limit, || self.exists(css))
    }

    /// Polls `f` every 20 ms up to `limit`; whether it came true.
    pub fn until(&self, limit: Duration, f: impl Fn() -> bool) -> bool {
        let deadline = Instant::now() + limit;
        loop {
            if f() {
                return true;
            }
            if Instant::now() > deadline {
                return false;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Replaces `speechSynthesis.speak` by a spy that keeps what was asked (`window.__said`, a
    /// list of `{text, lang}`) and ends each sentence a moment later, as a voice does.
    pub fn spy_on_speech(&self) {
        self.js("window.__said = [];
             window.speechSynthesis.speak = (u) => {
               window.__said.push({ text: u.text, lang: u.lang });
               setTimeout(() => { if (u.onend) u.onend(new Event('end')); }, 300);
             };
             return true");
    }

    pub fn said(&self) -> Vec<(String, String)> {
        let v = self.js("return window.__said || []");
        v.as_array()
            .unwrap()
            .iter()
            .map(|s| (s["text"].as_str().unwrap_or("").to_string(), s["lang"].as_str().unwrap_or("").to_string()))
            .collect()
    }

    /// A PNG of the viewport, written to `path`; its pixel size.
    pub fn screenshot(&self, path: &Path) -> (u32, u32) {
        let png = self.b.rt.block_on(self.c.screenshot()).unwrap();
        std::fs::write(path, &png).unwrap();
        let be = |b: &[u8]| u32::from_be_bytes([b[0], b[1], b[2], b[3]]);
        (be(&png[16..20]), be(&png[20..24]))
    }

    /// Elements whose content is cut off or that stick out of the viewport (none on a page laid
    /// out right), described as `tag.class "text"`.
    pub fn overflowing(&self) -> Vec<String> {
        let v = self.js(
            "const out = [];
             const W = document.documentElement.clientWidth, H = document.documentElement.clientHeight;
             if (document.documentElement.scrollWidth > W) out.push('page wider than the screen');
             for (const e of document.querySelectorAll('body *')) {
               const s = getComputedStyle(e);
               if (s.display === 'none' || s.visibility === 'hidden' || e.closest('[hidden]')) continue;
               const r = e.getBoundingClientRect();
               if (r.width === 0 || r.height === 0) continue;
               const scrolls = ['auto', 'scroll'].includes(s.overflowY) || ['auto', 'scroll'].includes(s.overflowX);
               if (e.scrollWidth > e.clientWidth + 1 && s.overflowX !== 'visible' && !scrolls && e.children.length === 0)
                 out.push(`cut: ${e.tagName}.${e.className} \"${e.innerText.slice(0, 30)}\"`);
               if (!e.closest('.kiosk-main, .pad-main') && (r.right > W + 1 || r.bottom > H + 1))
                 out.push(`outside: ${e.tagName}.${e.className} \"${(e.innerText || '').slice(0, 30)}\"`);
             }
             return out",
        );
        v.as_array().unwrap().iter().map(|s| s.as_str().unwrap().to_string()).collect()
    }

    /// The page printed (WebDriver's Print Page) on a roll `width_cm` wide, as PDF bytes.
    pub fn print_roll(&self, width_cm: f64) -> Vec<u8> {
        use fantoccini::wd::{PrintConfiguration, PrintMargins, PrintSize};
        let conf = PrintConfiguration::builder()
            .size(PrintSize { width: width_cm, height: 30.0 })
            .margins(PrintMargins { top: 0.3, bottom: 0.3, left: 0.3, right: 0.3 })
            .build()
            .unwrap();
        self.b.rt.block_on(self.c.print(conf)).unwrap()
    }

    pub fn close(self) {
        let _ = self.b.rt.block_on(self.c.close());
    }
}
