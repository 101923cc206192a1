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

/// The format asked for with `--format`, else the one the `--out` file's extension names
/// (`table`: extension → format), else `default`.
///
/// # Errors
/// A `--format` the file's extension contradicts (`--format text --out d.pdf`): one line, so a
/// file never holds something other than its name says.
pub(super) fn format_for<F: clap::ValueEnum + Copy + PartialEq>(
    explicit: Option<F>,
    out: Option<&Path>,
    table: &[(&str, F)],
    default: F,
    lang: yimen_domain::Lang,
) -> Result<F, Failure> {
    let ext = out.and_then(Path::extension).map(|e| e.to_string_lossy().to_lowercase());
    let by_ext = ext.as_deref().and_then(|e| table.iter().find(|(x, _)| *x == e).map(|(_, f)| *f));
    let name = |f: F| f.to_possible_value().map(|v| v.get_name().to_string()).unwrap_or_default();
    match (explicit, by_ext) {
        (Some(f), Some(e)) if f != e => Err(Failure::Message(format!(
            "{}{}{}.{}{}",
            lang.pick("--format ", "--format "),
            name(f),
            lang.pick(" 与输出文件的扩展名 ", " does not match the output file's extension ."),
            ext.unwrap_or_default(),
            lang.pick(
                " 不符（请改用相符的扩展名，或不写 --format）",
                " (use a matching extension, or leave --format out)"
            )
        ))),
        (Some(f), _) => Ok(f),
        (None, Some(e)) => Ok(e),
        (None, None) => Ok(default),
    }
}

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
    settings: &yimen_app::Settings,
    pdf: &[u8],
    path: &Path,
    print: bool,
    roll: bool,
    title: &str,
) -> Result<(), Failure> {
    let lang = c.lang;
    save_file(path, pdf, lang)?;
    if !print {
        return Ok(());
    }
    let outcome = match yimen_present::print::printer_for(settings, roll) {
        None => Err(yimen_present::print::PrintError::NoPrinter),
        Some(p) => yimen_present::print::print(path, &p.name, title).map(|job| (p, job)),
    };
    match outcome {
        Ok((p, job)) => {
            writeln!(c.out, "{}", yimen_present::print::sent_line(&p, &job, lang))?;
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
    let format = format_for(
        out.format,
        out.out.as_deref(),
        &[("pdf", PaperFormat::Pdf), ("txt", PaperFormat::Text)],
        PaperFormat::Text,
        lang,
    )?;
    if format == PaperFormat::Text {
        let text = yimen_present::slip::text(doc);
        write!(c.out, "{text}")?;
        if let Some(path) = &out.out {
            write_out(path, text.as_bytes(), lang)?;
        }
    }
    if format == PaperFormat::Pdf || out.print {
        let pdf = yimen_present::pdf::pdf(doc).map_err(Failure::Message)?;
        let path = match (&out.out, format) {
            (Some(p), PaperFormat::Pdf) => p.clone(),
            _ => default_path("pdf"),
        };
        save_and_print(c, desk.settings(), &pdf, &path, out.print, doc.paper.is_roll(), &doc.title)?;
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
    save_file(&path, bytes, c.lang)
}

/// Writes `bytes` at `path` (its folder made when missing; never over a database) and says
/// where, on standard error.
///
/// # Errors
/// The folder or the file could not be written.
fn save_file(path: &Path, bytes: &[u8], lang: yimen_domain::Lang) -> Result<(), Failure> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| Failure::Message(format!("{}: {e}", dir.display())))?;
    }
    write_out(path, bytes, lang)?;
    eprintln!("{}{}", lang.pick("已保存到 ", "saved to "), path.display());
    Ok(())
}
