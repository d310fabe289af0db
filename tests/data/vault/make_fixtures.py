"""Remakes the vault fixtures in the formats real tools write; all hold the same vault as
bitwarden.json (tests/vault.rs expects the same AUTH-07/08/09 results from each).

    python3 -m pip install pykeepass==4.2.0
    python3 tests/data/vault/make_fixtures.py

- pykeepass.kdbx: KDBX 4 written by pykeepass after a password change, so the X entry keeps a
  history entry (written before the fields set after it) and custom fields; one entry is moved
  to the recycle bin. Master password kdbx-Master-Pass-0042; Argon2d lowered to 1 MiB and 2
  passes so that the tests run fast.
- keepassxc.csv: KeePassXC's CSV export (src/format/CsvExporter.cpp): every field quoted, the
  group path from the root group ("Root/Social"), the recycle bin included.
- bitwarden.csv / bitwarden-org.csv: Bitwarden's CSV exports (bitwarden/clients,
  base-vault-export.service.ts and org-vault-export.service.ts, written by papaparse: quoted only
  when needed, CRLF): several URIs joined by commas in login_uri, secure notes as rows, and
  `collections` in place of `folder` for an organisation.
- bitwarden-org.json: Bitwarden's unencrypted organisation export: collections and
  collectionIds, no folders.
- 1password.csv: 1Password 8's CSV export: Title,Url,Username,Password,OTPAuth,Favorite,
  Archived,Tags,Notes, no folder column.
Sources checked 2026-11-30.
"""
import csv
import io
import json
import pathlib

HERE = pathlib.Path(__file__).resolve().parent

WEAK = "Westmere2024!"
REUSED = "tundra-Quiver-mosaic-4417"
BREACHED = "glacier Harpoon velvet 2291"
MASTER = "kdbx-Master-Pass-0042"
# Secrets that must never be read as an entry's password nor appear anywhere.
OLD = "old-History-Secret-9981"
CUSTOM = "rc-Custom-Secret-5150"
TRASHED = "trashed-Recycle-Secret-7321"

LOGIN = "socialmedia@westmere.police.uk"
# (folder, title, username, password, urls, notes)
ENTRIES = [
    ("Social", "X WestmerePolice", LOGIN, WEAK, ["https://x.com/login"], ""),
    ("Social", "Facebook page", LOGIN, REUSED,
     ["https://www.facebook.com/WestmerePolice"], "a note, with a comma"),
    # Two URIs: an export that does not split Bitwarden's joined list cannot match this one.
    ("Social", "Instagram", "westmere_police", BREACHED,
     ["https://help.example.org/", "https://www.instagram.com/accounts/login/"], ""),
    ("Personal", "old forum", "jsmith", REUSED, ["https://forum.example.org/"], ""),
]
# In the recycle bin: a second Instagram login that would make the URL match ambiguous.
TRASH = ("Social", "Instagram (old)", "westmere_police", TRASHED,
         ["https://www.instagram.com/"], "")


def write(name, text):
    (HERE / name).write_bytes(text.encode("utf-8"))


def keepassxc_csv():
    def row(cols):
        return ",".join('"' + c.replace('"', '""') + '"' for c in cols) + "\n"

    out = row(["Group", "Title", "Username", "Password", "URL", "Notes", "TOTP", "Icon",
               "Last Modified", "Created"])
    stamp = "2026-11-02T09:14:05Z"
    for folder, title, user, pw, urls, notes in ENTRIES:
        out += row(["Root/" + folder, title, user, pw, urls[-1], notes, "", "0", stamp, stamp])
    folder, title, user, pw, urls, notes = TRASH
    out += row(["Root/Recycle Bin", title, user, pw, urls[0], notes, "", "0", stamp, stamp])
    write("keepassxc.csv", out)


def papaparse(rows):
    """papaparse.unparse defaults: quote a field only when it holds the delimiter, a quote,
    a line break or leading/trailing spaces; CRLF between rows."""
    def field(v):
        v = "" if v is None else str(v)
        if any(c in v for c in ',"\r\n') or v != v.strip():
            return '"' + v.replace('"', '""') + '"'
        return v
    return "\r\n".join(",".join(field(v) for v in r) for r in rows)


def bitwarden_csv(org):
    place = "collections" if org else "folder"
    header = [place] + ([] if org else ["favorite"]) + [
        "type", "name", "notes", "fields", "reprompt", "login_uri", "login_username",
        "login_password", "login_totp"]
    rows = [header]
    for folder, title, user, pw, urls, notes in ENTRIES:
        # An organisation item can sit in several collections, joined like the URIs.
        where = "Social,Press" if org and title == "X WestmerePolice" else folder
        fields = "Recovery codes: " + CUSTOM if title == "X WestmerePolice" else ""
        rows.append([where] + ([] if org else [""]) + [
            "login", title, notes, fields, "0", ",".join(urls), user, pw, ""])
    rows.append(["Social"] + ([] if org else [""]) + [
        "note", "X WestmerePolice", "not a login", "", "0", "", "", "", ""])
    write("bitwarden-org.csv" if org else "bitwarden.csv", papaparse(rows))


def bitwarden_org_json():
    org = "6f2f3b9e-1d1c-4c59-9a59-b0e300c0f001"
    cols = {"Social": "c0000000-0000-4000-8000-000000000001",
            "Personal": "c0000000-0000-4000-8000-000000000002",
            "Press": "c0000000-0000-4000-8000-000000000003"}
    items = []
    for n, (folder, title, user, pw, urls, notes) in enumerate(ENTRIES, start=1):
        ids = [cols[folder]] + ([cols["Press"]] if title == "X WestmerePolice" else [])
        item = {
            "passwordHistory": [{"lastUsedDate": "2026-05-02T10:00:00.000Z", "password": OLD}]
            if title == "X WestmerePolice" else None,
            "revisionDate": "2026-11-02T09:14:05.000Z",
            "creationDate": "2024-01-10T09:00:00.000Z",
            "deletedDate": None,
            "id": f"a0000000-0000-4000-8000-00000000000{n}",
            "organizationId": org,
            "folderId": None,
            "type": 1,
            "reprompt": 0,
            "name": title,
            "notes": notes or None,
            "favorite": False,
            "fields": [{"name": "Recovery codes", "value": CUSTOM, "type": 1, "linkedId": None}]
            if title == "X WestmerePolice" else None,
            "login": {"fido2Credentials": [], "uris": [{"match": None, "uri": u} for u in urls],
                      "username": user, "password": pw, "totp": None},
            "collectionIds": ids,
        }
        items.append(item)
    doc = {"encrypted": False,
           "collections": [{"id": i, "organizationId": org, "name": name, "externalId": None}
                           for name, i in cols.items()],
           "items": items}
    write("bitwarden-org.json", json.dumps(doc, indent=2))


def onepassword_csv():
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["Title", "Url", "Username", "Password", "OTPAuth", "Favorite", "Archived",
                "Tags", "Notes"])
    for folder, title, user, pw, urls, notes in ENTRIES:
        w.writerow([title, urls[-1], user, pw, "", "false", "false", folder, notes])
    write("1password.csv", buf.getvalue())


def pykeepass_kdbx():
    from pykeepass import create_database

    path = HERE / "pykeepass.kdbx"
    kp = create_database(str(path), password=MASTER)
    params = kp.kdbx.header.value.dynamic_header.kdf_parameters.data.dict
    params["M"].value = 1024 * 1024
    params["I"].value = 2
    groups = {}
    for folder, title, user, pw, urls, notes in ENTRIES:
        group = groups.get(folder) or kp.add_group(kp.root_group, folder)
        groups[folder] = group
        first = OLD if title == "X WestmerePolice" else pw
        entry = kp.add_entry(group, title, user, first, url=urls[-1], notes=notes or None)
        if title == "X WestmerePolice":
            # A password change as pykeepass makes it: the old state goes to the history,
            # which then sits before the fields set afterwards.
            entry.save_history()
            entry.password = pw
            entry.set_custom_property("Recovery codes", CUSTOM, protect=True)
            entry.set_custom_property("Account ID", "1234567890")
    folder, title, user, pw, urls, notes = TRASH
    trashed = kp.add_entry(groups[folder], title, user, pw, url=urls[0])
    kp.trash_entry(trashed)
    kp.save()


if __name__ == "__main__":
    keepassxc_csv()
    bitwarden_csv(org=False)
    bitwarden_csv(org=True)
    bitwarden_org_json()
    onepassword_csv()
    pykeepass_kdbx()
