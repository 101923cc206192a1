//! Where a paper goes from the command line: the screen, a file, a printer. The PDF a printer
//! gets is always saved first (beside the database unless `--out` says where) and kept, so a
//! printer that is off or missing loses nothing.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

pub(super) use yimen_present::beside_database;

use super::args::{PaperFormat, PaperOut, PaperSize};
use super::{Ctx, Failure, write_out};
use yimen_api::Client;
use yimen_present::paper::{Doc, Paper};

/// The paper asked for on the command line, else `default`.
pub(super) fn paper_of(size: Option<PaperSize>, default: Paper) -> Paper {
    match size {
        Some(PaperSize::A4) => Paper::A4,
        Some(PaperSize::Roll80) => Paper::Roll80,
        Some(PaperSize::Roll58) => Paper::Roll58,
        None => default,
    }
}

/// Saves `pdf` at `path` and, when `print`, sends it to the paper's printer. Says where the
/// file is and what the printer did, one line each.
///
/// # Errors
/// The file could not be written; or printing was asked for and did not happen (the line
/// says why and where the saved file is).
pub(super) fn save_and_print(
    c: &mut Ctx<'_>,
    desk: &dyn Client,
    pdf: &[u8],
    path: &Path,
    print: bool,
    roll: bool,
    title: &str,
) -> Result<(), Failure> {
    let lang = c.lang;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| Failure::Message(format!("{}: {e}", dir.display())))?;
    }
    write_out(path, pdf, lang)?;
    eprintln!("{}{}", lang.pick("已保存到 ", "saved to "), path.display());
    if !print {
        return Ok(());
    }
    let outcome = match yimen_present::print::printer_for(desk.settings(), roll) {
        None => Err(yimen_present::print::PrintError::NoPrinter),
        Some(p) => yimen_present::print::print(path, &p, title).map(|said| (p, said)),
    };
    match outcome {
        Ok((p, said)) => {
            writeln!(c.out, "{}{p}{}{said}", lang.pick("已发送到打印机 ", "sent to printer "), lang.pick("：", ": "))?;
            Ok(())
        }
        Err(e) => Err(Failure::Message(format!(
            "{}{}{}",
            e.text(lang),
            lang.pick("；文件已保存：", "; the file is saved: "),
            path.display()
        ))),
    }
}

/// A slip (or notice, or queue ticket): as text on the screen (and in `--out`), or as PDF in
/// `--out` or the slips folder; printed when asked.
///
/// # Errors
/// See [`save_and_print`].
pub(super) fn deliver_slip(
    c: &mut Ctx<'_>,
    desk: &dyn Client,
    doc: &Doc,
    out: &PaperOut,
    default_path: impl Fn(&str) -> PathBuf,
) -> Result<(), Failure> {
    let lang = c.lang;
    if out.format == PaperFormat::Text {
        let text = yimen_present::slip::text(doc);
        write!(c.out, "{text}")?;
        if let Some(path) = &out.out {
            write_out(path, text.as_bytes(), lang)?;
        }
    }
    if out.format == PaperFormat::Pdf || out.print {
        let pdf = yimen_present::pdf::pdf(doc).map_err(Failure::Message)?;
        let path = match (&out.out, out.format) {
            (Some(p), PaperFormat::Pdf) => p.clone(),
            _ => default_path("pdf"),
        };
        save_and_print(c, desk, &pdf, &path, out.print, doc.paper.is_roll(), &doc.title)?;
    }
    Ok(())
}

/// Binary output (a PDF, a workbook): to `out` when given, else to standard output when it is
/// a pipe or a file, else (a terminal) to `fallback` — never bytes sprayed on a screen.
///
/// # Errors
/// The file could not be written.
pub(super) fn emit_binary(c: &mut Ctx<'_>, bytes: &[u8], out: Option<&Path>, fallback: PathBuf) -> Result<(), Failure> {
    let path = match out {
        Some(p) => p.to_path_buf(),
        None if !std::io::stdout().is_terminal() => {
            c.out.write_all(bytes)?;
            return Ok(());
        }
        None => fallback,
    };
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| Failure::Message(format!("{}: {e}", dir.display())))?;
    }
    write_out(&path, bytes, c.lang)?;
    eprintln!("{}{}", c.lang.pick("已保存到 ", "saved to "), path.display());
    Ok(())
}
