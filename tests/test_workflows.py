"""The publishing workflows: valid against GitHub's workflow schema, clean under zizmor's
offline audits, and running the README's own commands. They cannot run here; these
checks are what can be known of them without GitHub."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from paths import ROOT

WORKFLOWS = ROOT / ".github" / "workflows"
SITE, RELEASE = WORKFLOWS / "site.yml", WORKFLOWS / "release.yml"
BIN = Path(sys.executable).parent


def readme_blocks(language: str) -> list[str]:
    """The README's fenced code blocks of `language`, in order."""
    text = (ROOT / "README.md").read_text()
    return re.findall(rf"^```{language}\n(.*?)^```", text, flags=re.MULTILINE | re.DOTALL)


def schema_check(*paths: Path) -> subprocess.CompletedProcess:
    command = [BIN / "check-jsonschema", "--builtin-schema", "vendor.github-workflows", *paths]
    return subprocess.run(command, capture_output=True, text=True)


def zizmor(path: Path) -> subprocess.CompletedProcess:
    config = ROOT / ".github" / "zizmor.yml"
    command = [BIN / "zizmor", "--offline", "--no-progress", "--config", config, path]
    return subprocess.run(command, capture_output=True, text=True)


def steps(workflow: Path, job: str) -> list[dict]:
    return yaml.safe_load(workflow.read_text())["jobs"][job]["steps"]


def uses(workflow: Path, job: str) -> list[str]:
    """The actions a job uses, without their pins."""
    return [step["uses"].split("@")[0] for step in steps(workflow, job) if "uses" in step]


def test_the_workflows_are_valid_against_githubs_schema():
    result = schema_check(SITE, RELEASE)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_schema_check_bites(tmp_path):
    broken = tmp_path / "site.yml"
    broken.write_text(SITE.read_text().replace("runs-on:", "run-on:", 1))
    result = schema_check(broken)
    assert result.returncode == 1 and "run-on" in result.stdout, result.stdout + result.stderr


def test_zizmor_finds_nothing_in_the_workflows():
    result = zizmor(WORKFLOWS)
    assert result.returncode == 0, result.stdout + result.stderr


BUILD_PERMISSIONS = "    permissions:\n      contents: read # to check out the repository\n"
CHECKOUT = "        with:\n          persist-credentials: false\n"


@pytest.mark.parametrize(
    "changes",
    [
        # every job gets the workflow's write-all: more than a job needs
        [("permissions: {}", "permissions: write-all"), (BUILD_PERMISSIONS, "")],
        [(CHECKOUT, "")],  # the checkout keeps its token on disk, and the job uploads files
        [("run: bash .ci/run", "run: echo ${{ github.event.head_commit.message }}")],
        [("actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1", "actions/checkout@v7")],
    ],
    ids=["write-all", "credentials", "injection", "unpinned"],
)
def test_zizmor_bites(tmp_path, changes):
    text = SITE.read_text()
    for old, new in changes:
        assert old in text, old
        text = text.replace(old, new, 1)
    (tmp_path / "site.yml").write_text(text)
    result = zizmor(tmp_path / "site.yml")
    assert result.returncode >= 10, result.stdout + result.stderr  # 10 and up: findings


def test_the_site_workflow_runs_the_readmes_commands_and_deploys_to_pages():
    site_command, test_command = readme_blocks("bash")[:2]
    build = steps(SITE, "build")
    runs = [step.get("run", "").strip() for step in build]
    assert "bash .ci/run" in runs  # CI as it runs here: the README's test command, and more
    assert (ROOT / ".ci" / "run").read_text().count(".venv/bin/python -m pytest") == 1
    assert test_command.strip().endswith(".venv/bin/python -m pytest")
    (site,) = [step for step in build if step.get("run", "").strip() == site_command.strip()]
    assert set(site["env"]) >= {"LINREG_SITE_URL", "LINREG_REPO_URL"}, site
    assert "steps.pages.outputs.base_url" in site["env"]["LINREG_SITE_URL"]
    assert "github.repository" in site["env"]["LINREG_REPO_URL"]
    assert uses(SITE, "build")[-1] == "actions/upload-pages-artifact"
    assert build[-1]["with"]["path"] == "site"
    workflow = yaml.safe_load(SITE.read_text())
    deploy = workflow["jobs"]["deploy"]
    assert uses(SITE, "deploy") == ["actions/deploy-pages"] and deploy["needs"] == "build"
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert deploy["environment"]["name"] == "github-pages"
    assert workflow["permissions"] == {} and workflow["jobs"]["build"]["permissions"] == {
        "contents": "read"
    }


def test_the_release_workflow_builds_with_the_readmes_commands_and_publishes_by_trust():
    (release_commands,) = [b for b in readme_blocks("text") if "twine check" in b]
    build_command = release_commands.strip().splitlines()[0]
    runs = [step.get("run", "").strip() for step in steps(RELEASE, "build")]
    assert build_command in runs
    workflow = yaml.safe_load(RELEASE.read_text())
    assert workflow[True]["push"]["tags"] == ["v*"]  # YAML reads the key `on` as True
    publish = workflow["jobs"]["publish"]
    assert uses(RELEASE, "publish")[-1] == "pypa/gh-action-pypi-publish"
    assert publish["permissions"] == {"id-token": "write"} and publish["needs"] == "build"
    assert "password" not in str(publish) and "secrets." not in RELEASE.read_text()


def test_every_action_but_pypas_is_pinned_to_a_commit():
    for workflow in (SITE, RELEASE):
        for job in yaml.safe_load(workflow.read_text())["jobs"]:
            for step in steps(workflow, job):
                if "uses" in step and not step["uses"].startswith("pypa/"):
                    assert re.fullmatch(r"[\w./-]+@[0-9a-f]{40}", step["uses"]), step


def test_the_colab_notebooks_go_to_the_branch_the_links_name():
    from hooks_loaded import load_hook

    branch = load_hook("notebook_pages").COLAB_BRANCH
    jobs = yaml.safe_load(SITE.read_text())["jobs"]
    build = jobs["build"]["steps"]
    (upload,) = [s for s in build if s.get("with", {}).get("name") == "colab-notebooks"]
    assert upload["with"]["path"] == "site/colab/"  # where the build writes them
    colab = jobs["colab"]
    assert colab["permissions"] == {"contents": "write"} and colab["needs"] == "deploy"
    script = colab["steps"][-1]["run"]
    assert f"git init -q -b {branch}\n" in script and script.rstrip().endswith(f'.git" {branch}')
