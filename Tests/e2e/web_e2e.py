#!/usr/bin/env python3
"""Browser end-to-end test of the SecureDrop web UI in headless Chromium (Selenium).

Driven by Tests/SecureDropTests/Web/BrowserEndToEndTests.swift against a real server; can
also be run by hand:

    python3 Tests/e2e/web_e2e.py --url https://localhost:8443 --pin <base64 SPKI sha256> \
        --user admin --password-env SECUREDROP_E2E_PASSWORD [--screenshots docs/screenshots]

Chromium trusts the server's self-signed certificate through its public key pin
(--ignore-certificate-errors-spki-list), not by ignoring certificate errors in general.
Exit status 0 when every step passed; otherwise 1 with the failed step on stderr.
"""
import argparse
import os
import pathlib
import shutil
import sys
import tempfile
import time

from selenium import webdriver
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

DESKTOP = (1280, 800)
PHONE = (390, 844)


class StepFailed(Exception):
    pass


def step(name):
    print(f"e2e: {name}", flush=True)


def check(condition, message):
    if not condition:
        raise StepFailed(message)


def make_driver(pin, profile_dir, download_dir):
    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    for argument in [
        "--headless=new",
        "--no-sandbox",  # CI runs as root
        "--disable-dev-shm-usage",
        "--disable-gpu",
        "--no-first-run",
        "--disable-extensions",
        f"--user-data-dir={profile_dir}",  # Chromium honours the SPKI list only with its own profile
        f"--ignore-certificate-errors-spki-list={pin}",
        f"--window-size={DESKTOP[0]},{DESKTOP[1]}",
    ]:
        options.add_argument(argument)
    options.add_experimental_option("prefs", {
        "download.default_directory": str(download_dir),
        "download.prompt_for_download": False,
        "safebrowsing.enabled": False,
    })
    service = Service(executable_path=shutil.which("chromedriver") or "/usr/bin/chromedriver")
    driver = webdriver.Chrome(service=service, options=options)
    driver.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(download_dir)})
    driver.set_page_load_timeout(30)
    return driver


def wait(driver, condition, seconds=20, message="timed out"):
    try:
        return WebDriverWait(driver, seconds).until(condition)
    except TimeoutException as error:
        raise StepFailed(f"{message} (at {driver.current_url})") from error


def row(driver, name):
    rows = driver.find_elements(By.CSS_SELECTOR, f'tr.file-row[data-name="{name}"]')
    return rows[0] if rows else None


class Screenshots:
    """Desktop and phone captures, light and dark, for docs/screenshots."""

    def __init__(self, driver, directory):
        self.driver = driver
        self.directory = pathlib.Path(directory) if directory else None
        if self.directory:
            self.directory.mkdir(parents=True, exist_ok=True)

    def take(self, name, dark_too=False):
        if not self.directory:
            return
        schemes = ["light", "dark"] if dark_too else ["light"]
        for scheme in schemes:
            self.driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": [{"name": "prefers-color-scheme", "value": scheme}]})
            for label, (width, height) in [("desktop", DESKTOP), ("phone", PHONE)]:
                self.driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
                    "width": width, "height": height, "deviceScaleFactor": 1, "mobile": label == "phone",
                })
                time.sleep(0.3)
                suffix = "" if scheme == "light" else "-dark"
                self.driver.save_screenshot(str(self.directory / f"{name}-{label}{suffix}.png"))
        self.driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
        self.driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": []})


def run(args):
    base = args.url.rstrip("/")
    password = os.environ.get(args.password_env, "") if args.password_env else args.password
    check(password, "no password given")
    work = pathlib.Path(tempfile.mkdtemp(prefix="securedrop-e2e-"))
    downloads = work / "downloads"
    downloads.mkdir()
    uploads = work / "uploads"
    uploads.mkdir()
    hello = uploads / "hello.txt"
    hello.write_text("Hello from the browser test.\nSecond line.\n")
    evil = uploads / "evil.html"
    evil.write_text(
        "<!doctype html><title>harmless</title>"
        "<script>document.title='pwned'; window.pwned = true; document.body && (document.body.dataset.pwned = '1');</script>"
        "<h1>should be shown as text</h1>"
    )

    driver = make_driver(args.pin, work / "profile", downloads)
    shots = Screenshots(driver, args.screenshots)
    try:
        step("/ without a session redirects to the login page")
        driver.get(base + "/")
        wait(driver, EC.presence_of_element_located((By.ID, "username")), message="no login form")
        check("/login?next=/" in driver.current_url, f"expected /login?next=/, got {driver.current_url}")
        shots.take("login", dark_too=True)

        step("a wrong password shows the generic error")
        driver.find_element(By.ID, "username").send_keys(args.user)
        driver.find_element(By.ID, "password").send_keys("definitely-wrong")
        driver.find_element(By.ID, "login-submit").click()
        error = wait(driver, EC.presence_of_element_located((By.ID, "login-error")), message="no login error")
        check("Invalid username or password" in error.text, f"login error was {error.text!r}")
        shots.take("login-error")

        step("logs in")
        username = driver.find_element(By.ID, "username")
        username.clear()
        username.send_keys(args.user)
        driver.find_element(By.ID, "password").send_keys(password)
        driver.find_element(By.ID, "login-submit").click()
        name = wait(driver, EC.presence_of_element_located((By.ID, "user-name")), message="not logged in")
        check(name.text == args.user, f"shown user is {name.text!r}")
        check(driver.find_elements(By.ID, "empty-state"), "the empty state is not shown")
        shots.take("empty", dark_too=True)

        step("uploads two files through the file picker")
        picker = driver.find_element(By.ID, "file-input")
        picker.send_keys(f"{hello}\n{evil}")
        wait(driver, lambda d: row(d, "hello.txt") and row(d, "evil.html"), message="uploaded files are not listed")
        items = driver.find_elements(By.CSS_SELECTOR, "#upload-queue .queue-item.done")
        check(len(items) == 2, f"{len(items)} finished upload rows")
        check(all(item.find_element(By.TAG_NAME, "progress").get_attribute("value") == "100" for item in items), "progress not at 100%")
        for extra in ["report-2024.pdf", "holiday-photo.jpg", "notes.md"]:
            (uploads / extra).write_bytes(os.urandom(2048 if extra.endswith("md") else 350_000))
        picker = driver.find_element(By.ID, "file-input")
        picker.send_keys("\n".join(str(uploads / extra) for extra in ["report-2024.pdf", "holiday-photo.jpg", "notes.md"]))
        wait(driver, lambda d: row(d, "notes.md") and row(d, "report-2024.pdf"), message="more files not listed")
        wait(driver, lambda d: len(d.find_elements(By.CSS_SELECTOR, "#upload-queue .queue-item.done")) == 5, message="uploads not finished")
        shots.take("uploads")
        driver.find_element(By.ID, "queue-clear").click()
        check(not driver.find_elements(By.CSS_SELECTOR, "#upload-queue .queue-item"), "finished uploads not cleared")
        shots.take("list", dark_too=True)

        step("filters and sorts in the page")
        driver.find_element(By.ID, "filter").send_keys("hello")
        visible = [r for r in driver.find_elements(By.CSS_SELECTOR, "tr.file-row") if r.is_displayed()]
        check([r.get_attribute("data-name") for r in visible] == ["hello.txt"], "filter did not narrow the list")
        driver.find_element(By.ID, "filter").clear()
        driver.execute_script("document.getElementById('filter').dispatchEvent(new Event('input', {bubbles: true}))")
        driver.find_element(By.CSS_SELECTOR, 'a.sort[data-key="name"]').click()
        names = [r.get_attribute("data-name") for r in driver.find_elements(By.CSS_SELECTOR, "tr.file-row")]
        check(names == sorted(names, key=str.lower), f"not sorted by name: {names}")

        step("downloads one file")
        row(driver, "hello.txt").find_element(By.CSS_SELECTOR, 'a[data-action="download"]').click()
        target = downloads / "hello.txt"
        wait(driver, lambda d: target.exists() and target.read_bytes() == hello.read_bytes(), message="download missing or different")

        step("opens the text file")
        open_url = row(driver, "hello.txt").find_element(By.CSS_SELECTOR, 'a[data-action="open"]').get_attribute("href")
        driver.get(open_url)
        body = driver.find_element(By.TAG_NAME, "body").text
        check("Hello from the browser test." in body, f"opened text was {body[:200]!r}")

        step("an uploaded HTML file does not run its script")
        for route in ["/open/evil.html", "/raw/evil.html"]:
            driver.get(base + route)
            time.sleep(0.5)
            check(driver.title != "pwned", f"{route}: the uploaded script set the title")
            pwned = driver.execute_script("return window.pwned === true || (document.body && document.body.dataset.pwned === '1')")
            check(not pwned, f"{route}: the uploaded script ran")
            text = driver.find_element(By.TAG_NAME, "body").text
            check("<script>" in text, f"{route}: the HTML was not shown as text: {text[:200]!r}")

        step("deletes one file after confirming")
        driver.get(base + "/")
        wait(driver, lambda d: row(d, "evil.html"), message="list did not load")
        row(driver, "evil.html").find_element(By.CSS_SELECTOR, 'button[data-action="delete"]').click()
        alert = wait(driver, EC.alert_is_present(), message="no confirmation dialog")
        check("evil.html" in alert.text, f"confirmation was {alert.text!r}")
        alert.accept()
        wait(driver, lambda d: d.find_elements(By.ID, "flash") and row(d, "evil.html") is None, message="file not deleted")
        check("Deleted evil.html." in driver.find_element(By.ID, "flash").text, "no deletion notice")
        check(row(driver, "hello.txt") is not None, "the other file vanished")
        shots.take("deleted")

        step("logs out")
        driver.find_element(By.ID, "logout").click()
        wait(driver, EC.presence_of_element_located((By.ID, "username")), message="no login page after logout")
        check(driver.current_url.endswith("/login"), f"after logout: {driver.current_url}")
        driver.get(base + "/")
        wait(driver, EC.presence_of_element_located((By.ID, "username")), message="/ did not redirect to login")
        check("/login?next=/" in driver.current_url, f"/ after logout went to {driver.current_url}")
    except Exception:
        try:
            print(f"e2e: page at failure {driver.current_url}:\n{driver.page_source[:3000]}", file=sys.stderr)
        except Exception:  # noqa: BLE001 - the browser may be gone
            pass
        raise
    finally:
        driver.quit()
        shutil.rmtree(work, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", required=True)
    parser.add_argument("--pin", required=True, help="base64 SHA-256 of the server's SubjectPublicKeyInfo")
    parser.add_argument("--user", required=True)
    parser.add_argument("--password", help="prefer --password-env")
    parser.add_argument("--password-env", help="name of the environment variable holding the password")
    parser.add_argument("--screenshots", help="directory for desktop and phone screenshots")
    args = parser.parse_args()
    try:
        run(args)
    except StepFailed as failure:
        print(f"e2e: FAILED: {failure}", file=sys.stderr)
        return 1
    print("e2e: all steps passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
