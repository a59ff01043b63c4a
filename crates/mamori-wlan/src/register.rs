//! The registers an audit reconciles logs against: terminals, staff, administrators and
//! network devices. CSV (UTF-8, with or without BOM, or Shift_JIS) or xlsx (first sheet);
//! header names in English or Japanese, in any order. A bad row is an error naming the file,
//! line and column.

use std::collections::HashMap;
use std::io::Cursor;

use serde::Serialize;

use crate::mac::Mac;
use crate::record::normalise_serial;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{path}:{line}: {column}: {message}")]
pub struct RegisterError {
    pub path: String,
    /// 1-based; the header is line 1.
    pub line: u64,
    pub column: String,
    pub message: String,
}

/// A table read from CSV or xlsx: the header and the rows with their line numbers.
struct Table {
    path: String,
    header: Vec<String>,
    rows: Vec<(u64, Vec<String>)>,
}

fn err(path: &str, line: u64, column: &str, message: impl Into<String>) -> RegisterError {
    RegisterError {
        path: path.to_owned(),
        line,
        column: column.to_owned(),
        message: message.into(),
    }
}

fn read_table(path: &str, bytes: &[u8]) -> Result<Table, RegisterError> {
    if bytes.starts_with(b"PK\x03\x04") {
        return read_xlsx(path, bytes);
    }
    let text = decode(bytes);
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(
            if text
                .lines()
                .next()
                .is_some_and(|l| l.contains('\t') && !l.contains(','))
            {
                b'\t'
            } else {
                b','
            },
        )
        .from_reader(text.as_bytes());
    let mut header = None;
    let mut rows = Vec::new();
    // The line a record starts on, from its byte offset: after a CR the reader stops before
    // the LF, so a record "starting" on that LF starts on the next line.
    let bytes_of = text.as_bytes();
    let line_at = |byte: u64| {
        let mut at = usize::try_from(byte)
            .unwrap_or(usize::MAX)
            .min(bytes_of.len());
        // The record starts after any line breaks (blank lines are skipped).
        while matches!(bytes_of.get(at), Some(b'\n' | b'\r')) {
            at += 1;
        }
        memchr::memchr_iter(b'\n', &bytes_of[..at]).count() as u64 + 1
    };
    let mut rec = csv::StringRecord::new();
    loop {
        let line = line_at(rdr.position().byte());
        match rdr.read_record(&mut rec) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => return Err(err(path, line, "-", format!("not CSV: {e}"))),
        }
        let cells: Vec<String> = rec.iter().map(|c| c.trim().to_owned()).collect();
        if cells.iter().all(String::is_empty) {
            continue;
        }
        if header.is_none() {
            header = Some(cells);
        } else {
            rows.push((line, cells));
        }
    }
    Ok(Table {
        path: path.to_owned(),
        header: header.ok_or_else(|| err(path, 1, "-", "empty: no header row"))?,
        rows,
    })
}

/// UTF-8 (a BOM is dropped) when valid, else Shift_JIS as Japanese Excel writes CSV.
fn decode(bytes: &[u8]) -> String {
    let b = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(b) {
        Ok(s) => s.to_owned(),
        Err(_) => encoding_rs::SHIFT_JIS.decode(b).0.into_owned(),
    }
}

fn read_xlsx(path: &str, bytes: &[u8]) -> Result<Table, RegisterError> {
    use calamine::{Data, Reader};
    let mut wb = calamine::Xlsx::new(Cursor::new(bytes))
        .map_err(|e| err(path, 0, "-", format!("not a readable xlsx: {e}")))?;
    let name = wb
        .sheet_names()
        .first()
        .cloned()
        .ok_or_else(|| err(path, 0, "-", "no sheet"))?;
    let range = wb
        .worksheet_range(&name)
        .map_err(|e| err(path, 0, "-", format!("sheet {name}: {e}")))?;
    let (r0, _) = range.start().unwrap_or((0, 0));
    let mut header = None;
    let mut rows = Vec::new();
    for (i, row) in range.rows().enumerate() {
        let line = u64::from(r0) + i as u64 + 1;
        let cells: Vec<String> = row
            .iter()
            .map(|d| match d {
                Data::String(s) | Data::DateTimeIso(s) => s.trim().to_owned(),
                Data::Int(n) => n.to_string(),
                Data::Float(f) if f.fract() == 0.0 => format!("{f:.0}"),
                Data::Float(f) => f.to_string(),
                Data::Bool(b) => b.to_string(),
                _ => String::new(),
            })
            .collect();
        if cells.iter().all(String::is_empty) {
            continue;
        }
        if header.is_none() {
            header = Some(cells);
        } else {
            rows.push((line, cells));
        }
    }
    Ok(Table {
        path: path.to_owned(),
        header: header.ok_or_else(|| err(path, 1, "-", "empty: no header row"))?,
        rows,
    })
}

impl Table {
    /// Column positions for `fields`: (canonical name, accepted header spellings, required).
    fn columns(
        &self,
        fields: &[(&'static str, &[&str], bool)],
    ) -> Result<HashMap<&'static str, usize>, RegisterError> {
        let norm = |s: &str| s.trim().to_lowercase().replace([' ', '-', '　'], "_");
        let mut out = HashMap::new();
        for (name, aliases, required) in fields {
            let found = self.header.iter().position(|h| {
                let h = norm(h);
                h == *name || aliases.iter().any(|a| norm(a) == h)
            });
            match found {
                Some(i) => {
                    out.insert(*name, i);
                }
                None if *required => {
                    return Err(err(
                        &self.path,
                        1,
                        name,
                        format!(
                            "required column missing (header: {})",
                            self.header.join(", ")
                        ),
                    ));
                }
                None => {}
            }
        }
        Ok(out)
    }
}

fn cell<'a>(row: &'a [String], cols: &HashMap<&str, usize>, name: &str) -> &'a str {
    cols.get(name)
        .and_then(|i| row.get(*i))
        .map_or("", String::as_str)
}

fn yes_no(path: &str, line: u64, column: &str, v: &str) -> Result<bool, RegisterError> {
    match v.trim().to_lowercase().as_str() {
        "yes" | "y" | "true" | "1" | "○" | "〇" | "はい" | "可" | "有" | "あり" => {
            Ok(true)
        }
        "no" | "n" | "false" | "0" | "×" | "いいえ" | "不可" | "無" | "なし" | "" => {
            Ok(false)
        }
        other => Err(err(path, line, column, format!("{other:?} is not yes/no"))),
    }
}

/// Status of a registered terminal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TerminalStatus {
    Active,
    Retired,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Terminal {
    pub asset_id: String,
    pub macs: Vec<Mac>,
    pub cert_serial: Option<String>,
    pub cert_cn: Option<String>,
    pub segment: String,
    pub assigned_to: String,
    pub status: TerminalStatus,
    /// Line in the register.
    pub line: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Staff {
    pub staff_id: String,
    pub name: String,
    pub user_name: String,
    pub handles_mynumber: bool,
    pub wlan_permitted: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Admin {
    pub user_name: String,
    pub name: String,
    /// The asset id, host name or IP address of the only terminal it may sign in from.
    pub maintenance_terminal: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DeviceKind {
    Nas,
    Controller,
    Ap,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Device {
    pub kind: DeviceKind,
    pub name: String,
    pub ip: String,
    pub mac: Option<Mac>,
    pub ssids: Vec<String>,
    pub segment: String,
}

pub fn terminals(path: &str, bytes: &[u8]) -> Result<Vec<Terminal>, RegisterError> {
    let t = read_table(path, bytes)?;
    let cols = t.columns(&[
        (
            "asset_id",
            &["資産番号", "管理番号", "端末番号", "端末ID"],
            true,
        ),
        ("mac", &["MACアドレス", "mac_address", "MAC"], true),
        (
            "cert_serial",
            &["証明書シリアル", "証明書シリアル番号", "serial"],
            false,
        ),
        (
            "cert_cn",
            &["証明書CN", "証明書コモンネーム", "common_name"],
            false,
        ),
        ("segment", &["ネットワーク区分", "セグメント"], false),
        ("assigned_to", &["利用者", "使用者", "担当者"], false),
        ("status", &["状態", "ステータス"], false),
    ])?;
    let mut out = Vec::new();
    for (line, row) in &t.rows {
        let get = |c: &str| cell(row, &cols, c);
        let asset_id = get("asset_id");
        if asset_id.is_empty() {
            return Err(err(path, *line, "asset_id", "empty"));
        }
        let mut macs = Vec::new();
        for m in get("mac")
            .split([';', '；', ' '])
            .filter(|m| !m.trim().is_empty())
        {
            macs.push(
                Mac::parse(m).ok_or_else(|| {
                    err(path, *line, "mac", format!("{m:?} is not a MAC address"))
                })?,
            );
        }
        if macs.is_empty() {
            return Err(err(path, *line, "mac", "empty"));
        }
        let serial = get("cert_serial");
        let cert_serial = if serial.is_empty() {
            None
        } else {
            Some(normalise_serial(serial).ok_or_else(|| {
                err(
                    path,
                    *line,
                    "cert_serial",
                    format!("{serial:?} is not a hex serial"),
                )
            })?)
        };
        let status = match get("status").to_lowercase().as_str() {
            "" | "active" | "稼働" | "稼働中" | "運用中" | "使用中" => {
                TerminalStatus::Active
            }
            "retired" | "廃止" | "廃棄" | "返却" | "停止" => TerminalStatus::Retired,
            other => {
                return Err(err(
                    path,
                    *line,
                    "status",
                    format!("{other:?} is neither active nor retired"),
                ));
            }
        };
        out.push(Terminal {
            asset_id: asset_id.to_owned(),
            macs,
            cert_serial,
            cert_cn: Some(get("cert_cn").to_owned()).filter(|c| !c.is_empty()),
            segment: get("segment").to_owned(),
            assigned_to: get("assigned_to").to_owned(),
            status,
            line: *line,
        });
    }
    Ok(out)
}

pub fn staff(path: &str, bytes: &[u8]) -> Result<Vec<Staff>, RegisterError> {
    let t = read_table(path, bytes)?;
    let cols = t.columns(&[
        ("staff_id", &["職員番号", "職員ID"], false),
        ("name", &["氏名", "名前"], false),
        (
            "user_name",
            &["ユーザー名", "ユーザ名", "利用者名", "アカウント"],
            true,
        ),
        (
            "handles_mynumber",
            &["個人番号取扱", "マイナンバー取扱", "個人番号取扱者"],
            false,
        ),
        (
            "wlan_permitted",
            &["無線LAN利用許可", "無線LAN許可", "無線LAN"],
            true,
        ),
    ])?;
    let mut out = Vec::new();
    for (line, row) in &t.rows {
        let get = |c: &str| cell(row, &cols, c);
        if get("user_name").is_empty() {
            return Err(err(path, *line, "user_name", "empty"));
        }
        out.push(Staff {
            staff_id: get("staff_id").to_owned(),
            name: get("name").to_owned(),
            user_name: get("user_name").to_owned(),
            handles_mynumber: yes_no(path, *line, "handles_mynumber", get("handles_mynumber"))?,
            wlan_permitted: yes_no(path, *line, "wlan_permitted", get("wlan_permitted"))?,
        });
    }
    Ok(out)
}

pub fn admins(path: &str, bytes: &[u8]) -> Result<Vec<Admin>, RegisterError> {
    let t = read_table(path, bytes)?;
    let cols = t.columns(&[
        ("user_name", &["ユーザー名", "ユーザ名", "アカウント"], true),
        ("name", &["氏名", "名前"], false),
        (
            "maintenance_terminal",
            &["保守端末", "管理端末", "作業端末"],
            false,
        ),
    ])?;
    let mut out = Vec::new();
    for (line, row) in &t.rows {
        let get = |c: &str| cell(row, &cols, c);
        if get("user_name").is_empty() {
            return Err(err(path, *line, "user_name", "empty"));
        }
        out.push(Admin {
            user_name: get("user_name").to_owned(),
            name: get("name").to_owned(),
            maintenance_terminal: get("maintenance_terminal").to_owned(),
        });
    }
    Ok(out)
}

pub fn devices(path: &str, bytes: &[u8]) -> Result<Vec<Device>, RegisterError> {
    let t = read_table(path, bytes)?;
    let cols = t.columns(&[
        ("kind", &["種別", "機器種別"], true),
        ("name", &["名称", "機器名", "ホスト名"], true),
        ("ip", &["IPアドレス", "ip_address"], false),
        ("mac", &["MACアドレス", "mac_address"], false),
        ("ssids", &["SSID", "ssid"], false),
        ("segment", &["ネットワーク区分", "セグメント"], false),
    ])?;
    let mut out = Vec::new();
    for (line, row) in &t.rows {
        let get = |c: &str| cell(row, &cols, c);
        let kind = match get("kind").to_lowercase().as_str() {
            "nas" | "radius" | "認証装置" => DeviceKind::Nas,
            "controller" | "wlc" | "コントローラ" | "コントローラー" => {
                DeviceKind::Controller
            }
            "ap" | "アクセスポイント" => DeviceKind::Ap,
            other => {
                return Err(err(
                    path,
                    *line,
                    "kind",
                    format!("{other:?} is not nas, controller or ap"),
                ));
            }
        };
        let mac = get("mac");
        out.push(Device {
            kind,
            name: get("name").to_owned(),
            ip: get("ip").to_owned(),
            mac: if mac.is_empty() {
                None
            } else {
                Some(Mac::parse(mac).ok_or_else(|| {
                    err(path, *line, "mac", format!("{mac:?} is not a MAC address"))
                })?)
            },
            ssids: get("ssids")
                .split([';', '；'])
                .map(|s| s.trim().to_owned())
                .filter(|s| !s.is_empty())
                .collect(),
            segment: get("segment").to_owned(),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn terminals_in_japanese_shift_jis() {
        let text = "資産番号,MACアドレス,証明書シリアル,ネットワーク区分,利用者,状態\r\nPC-0123,00-11-22-33-44-55;00:11:22:33:44:56,01AB,マイナンバー利用事務系,tanaka,稼働\r\nPC-0999,001122334499,,マイナンバー利用事務系,,廃止\r\n";
        let (sjis, _, _) = encoding_rs::SHIFT_JIS.encode(text);
        let t = terminals("terminals.csv", &sjis).unwrap();
        assert_eq!(t.len(), 2);
        assert_eq!(t[0].macs.len(), 2);
        assert_eq!(t[0].cert_serial.as_deref(), Some("01ab"));
        assert_eq!(t[0].line, 2);
        assert_eq!(t[1].status, TerminalStatus::Retired);
    }

    #[test]
    fn a_bad_cell_names_file_line_and_column() {
        let text =
            "asset_id,mac,status\nPC-1,00-11-22-33-44-55,active\nPC-2,00-11-22-33-44,active\n";
        assert_eq!(
            terminals("t.csv", text.as_bytes()).unwrap_err().to_string(),
            "t.csv:3: mac: \"00-11-22-33-44\" is not a MAC address"
        );
        let text = "asset_id,mac\r\n\r\nPC-1,bad-mac\r\n";
        assert!(
            terminals("t.csv", text.as_bytes())
                .unwrap_err()
                .to_string()
                .starts_with("t.csv:3: mac:")
        );
        let text = "asset_id,mac\n\n\nPC-1,bad-mac\n";
        assert!(
            terminals("t.csv", text.as_bytes())
                .unwrap_err()
                .to_string()
                .starts_with("t.csv:4: mac:")
        );
        let text = "asset_id,status\nPC-1,active\n";
        assert!(
            terminals("t.csv", text.as_bytes())
                .unwrap_err()
                .to_string()
                .starts_with("t.csv:1: mac: required column missing")
        );
        let staff_text = "user_name,wlan_permitted\ntanaka,maybe\n";
        assert_eq!(
            staff("s.csv", staff_text.as_bytes())
                .unwrap_err()
                .to_string(),
            "s.csv:2: wlan_permitted: \"maybe\" is not yes/no"
        );
    }

    #[test]
    fn devices_and_admins() {
        let d = devices(
            "d.csv",
            "種別,名称,IPアドレス,MACアドレス,SSID\nnas,radius01,10.0.0.1,,\ncontroller,wlc01,10.0.0.2,00-10-A4-23-19-C0,MYNUMBER-WLAN\n".as_bytes(),
        )
        .unwrap();
        assert_eq!(d[1].kind, DeviceKind::Controller);
        assert_eq!(d[1].ssids, ["MYNUMBER-WLAN"]);
        let a = admins(
            "a.csv",
            "user_name,name,maintenance_terminal\nnet-admin,情報政策課 佐藤,10.0.9.5\n".as_bytes(),
        )
        .unwrap();
        assert_eq!(a[0].maintenance_terminal, "10.0.9.5");
    }
}
