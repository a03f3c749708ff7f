#!/usr/bin/env bash
# install-edge.sh — install the Sharp Eyes edge agent on an NVR box without containers.
#
# Usage: scripts/install-edge.sh [install]   install or upgrade (a new release, `current` switched)
#        scripts/install-edge.sh rollback    point `current` back at the previous release
#
# Layout (every path below is prefixed with $DESTDIR, for packaging or a dry run as non-root):
#   /opt/sharpeyes/releases/<release>/   a venv with only sharpeyes[edge] (no faust, no aiokafka)
#   /opt/sharpeyes/current -> releases/<release>, /opt/sharpeyes/previous -> the one before
#   /etc/sharpeyes/edge.yaml             the agent config (created once, never overwritten)
#   /etc/sharpeyes/kafka.password        SASL password, root 0600, passed as a systemd credential
#   /etc/systemd/system/sharpeyes-edge.service
#   /usr/lib/sysusers.d/sharpeyes.conf   the `sharpeyes` system user
#   /var/lib/sharpeyes/edge              the outbox (StateDirectory= of the unit, made by systemd)
# With an empty DESTDIR and run as root it also creates the user, fixes ownership and reloads systemd.
#
# Environment (all optional):
#   DESTDIR              staging root                                 (default: none, the live system)
#   PREFIX               install root                                 (default /opt/sharpeyes)
#   CONFDIR              config dir                                   (default /etc/sharpeyes)
#   UNITDIR              systemd unit dir                             (default /etc/systemd/system)
#   SYSUSERSDIR          sysusers.d dir                               (default /usr/lib/sysusers.d)
#   PYTHON               Python 3.11+ that makes the venv             (default python3)
#   SHARPEYES_SOURCE     what pip installs: a wheel or a source tree  (default this checkout)
#   SHARPEYES_RELEASE    release directory name                       (default version from pyproject.toml)
#   SHARPEYES_PIP_ARGS   extra pip arguments, e.g. offline sites: "--no-index --find-links /media/wheels"

set -euo pipefail

SCRIPT_DIR="$(dirname -- "$(readlink -f -- "${BASH_SOURCE[0]}")")"
REPO_ROOT="$(cd -- "$SCRIPT_DIR/.." && pwd -P)"
readonly SCRIPT_DIR REPO_ROOT

DESTDIR="${DESTDIR:-}"
DESTDIR="${DESTDIR%/}"
PREFIX="${PREFIX:-/opt/sharpeyes}"
CONFDIR="${CONFDIR:-/etc/sharpeyes}"
UNITDIR="${UNITDIR:-/etc/systemd/system}"
SYSUSERSDIR="${SYSUSERSDIR:-/usr/lib/sysusers.d}"
PYTHON="${PYTHON:-python3}"
SHARPEYES_SOURCE="${SHARPEYES_SOURCE:-$REPO_ROOT}"
SHARPEYES_PIP_ARGS="${SHARPEYES_PIP_ARGS:-}"
readonly UNIT=sharpeyes-edge.service
readonly SERVICE_USER=sharpeyes
readonly STATE_DIR=/var/lib/sharpeyes

log() { printf 'install-edge: %s\n' "$*"; }
die() { printf 'install-edge: error: %s\n' "$*" >&2; exit 1; }

project_version() {
    sed -n 's/^version *= *"\([^"]*\)".*/\1/p' "$REPO_ROOT/pyproject.toml" | head -n 1
}
SHARPEYES_RELEASE="${SHARPEYES_RELEASE:-$(project_version)}"
[[ "$SHARPEYES_RELEASE" =~ ^[A-Za-z0-9._+-]+$ ]] || die "bad SHARPEYES_RELEASE '$SHARPEYES_RELEASE'"

live() { [[ -z "$DESTDIR" ]]; }

make_release() {
    local root="$DESTDIR$PREFIX" release_dir staging
    release_dir="$root/releases/$SHARPEYES_RELEASE"
    staging="$root/releases/.$SHARPEYES_RELEASE.new"
    "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' ||
        die "$PYTHON is older than Python 3.11"
    mkdir -p "$root/releases"
    rm -rf -- "$staging"
    log "creating venv for release $SHARPEYES_RELEASE"
    local spec="$SHARPEYES_SOURCE" pip
    [[ "$spec" == *.whl || -d "$spec" ]] || die "SHARPEYES_SOURCE '$spec' is neither a wheel nor a directory"
    # The release venv carries no pip of its own when $PYTHON's pip can install into it
    # (pip >= 22.3: --python): faster, and a release stays what was installed. Else ensurepip.
    if "$PYTHON" -m pip --python "$PYTHON" --version >/dev/null 2>&1; then
        "$PYTHON" -m venv --without-pip "$staging"
        pip=("$PYTHON" -m pip --python "$staging/bin/python")
    else
        "$PYTHON" -m venv "$staging"
        pip=("$staging/bin/python" -m pip)
    fi
    log "installing sharpeyes[edge] from $spec"
    # shellcheck disable=SC2086  # SHARPEYES_PIP_ARGS is a list of flags
    "${pip[@]}" install --disable-pip-version-check --no-input --quiet \
        $SHARPEYES_PIP_ARGS "$spec[edge]" || die "pip install failed; nothing was switched"
    [[ -x "$staging/bin/sharpeyes" ]] || die "the release has no bin/sharpeyes"
    # Swap the finished release in; an old copy of the same release is replaced only now.
    rm -rf -- "$release_dir.old"
    [[ -d "$release_dir" ]] && mv -- "$release_dir" "$release_dir.old"
    mv -- "$staging" "$release_dir"
    rm -rf -- "$release_dir.old"
    # The venv was made as $staging (under $DESTDIR): its scripts' shebangs, activate files and
    # pyvenv.cfg name that path. Point them at where the release lives once installed.
    relocate "$staging" "$PREFIX/releases/$SHARPEYES_RELEASE" "$release_dir"
}

relocate() {
    local old=$1 final=$2 dir=$3 file
    while IFS= read -r -d '' file; do
        if grep -Iq -- "$old" "$file" 2>/dev/null; then
            sed -i "s|$old|$final|g" "$file"
        fi
    done < <(find "$dir/bin" -maxdepth 1 -type f -print0)
    sed -i "s|$old|$final|g" "$dir/pyvenv.cfg"
}

switch_current() {
    local root="$DESTDIR$PREFIX" old
    if [[ -L "$root/current" ]]; then
        old="$(readlink "$root/current")"
        if [[ "$old" != "releases/$SHARPEYES_RELEASE" ]]; then
            ln -sfn -- "$old" "$root/previous"
        fi
    fi
    ln -sfn -- "releases/$SHARPEYES_RELEASE" "$root/current.new"
    mv -T -- "$root/current.new" "$root/current"   # atomic rename: never a moment without `current`
    log "current -> releases/$SHARPEYES_RELEASE"
}

install_config() {
    local conf="$DESTDIR$CONFDIR"
    mkdir -p "$conf"
    chmod 0750 "$conf"
    if [[ ! -e "$conf/edge.yaml" ]]; then
        install -m 0640 "$REPO_ROOT/deploy/systemd/edge.yaml.example" "$conf/edge.yaml"
        log "wrote $CONFDIR/edge.yaml (edit: agent_id, kafka, cameras)"
    else
        log "kept existing $CONFDIR/edge.yaml"
    fi
    if [[ ! -e "$conf/kafka.password" ]]; then
        (umask 077 && : >"$conf/kafka.password")
        log "wrote empty $CONFDIR/kafka.password (0600; put the SASL password there for SASL_SSL)"
    fi
    chmod 0600 "$conf/kafka.password"
}

install_unit() {
    local units="$DESTDIR$UNITDIR" users="$DESTDIR$SYSUSERSDIR"
    mkdir -p "$units" "$users"
    sed -e "s|@PREFIX@|$PREFIX|g" -e "s|@CONFDIR@|$CONFDIR|g" \
        "$REPO_ROOT/deploy/systemd/$UNIT.in" >"$units/$UNIT.new"
    chmod 0644 "$units/$UNIT.new"
    mv -f -- "$units/$UNIT.new" "$units/$UNIT"
    printf 'u %s - "Sharp Eyes edge agent" %s /usr/sbin/nologin\n' "$SERVICE_USER" "$STATE_DIR" \
        >"$users/sharpeyes.conf"
    chmod 0644 "$users/sharpeyes.conf"
    log "wrote $UNITDIR/$UNIT and $SYSUSERSDIR/sharpeyes.conf"
}

activate_live() {
    if ! live; then
        log "staged under $DESTDIR (no user created, systemd not touched)"
        return 0
    fi
    [[ "$(id -u)" == 0 ]] || die "installing on the live system needs root (or set DESTDIR)"
    if ! id "$SERVICE_USER" >/dev/null 2>&1; then
        if command -v systemd-sysusers >/dev/null; then
            systemd-sysusers "$SYSUSERSDIR/sharpeyes.conf"
        else
            useradd --system --home-dir "$STATE_DIR" --shell /usr/sbin/nologin "$SERVICE_USER"
        fi
        log "created system user $SERVICE_USER"
    fi
    chown root:"$SERVICE_USER" "$CONFDIR" "$CONFDIR/edge.yaml"
    chown root:root "$CONFDIR/kafka.password"
    if command -v systemctl >/dev/null && [[ -d /run/systemd/system ]]; then
        systemctl daemon-reload
        if systemctl is-active --quiet "$UNIT"; then
            systemctl restart "$UNIT"
            log "restarted $UNIT"
        else
            log "enable and start with: systemctl enable --now $UNIT"
        fi
    fi
}

cmd_install() {
    make_release
    switch_current
    install_config
    install_unit
    activate_live
}

cmd_rollback() {
    local root="$DESTDIR$PREFIX" cur prev
    [[ -L "$root/previous" ]] || die "no previous release to roll back to"
    cur="$(readlink "$root/current")"
    prev="$(readlink "$root/previous")"
    [[ -d "$root/$prev" ]] || die "previous release $prev is gone"
    ln -sfn -- "$prev" "$root/current.new"
    mv -T -- "$root/current.new" "$root/current"
    ln -sfn -- "$cur" "$root/previous"
    log "current -> $prev (previous -> $cur)"
    if live && command -v systemctl >/dev/null && [[ -d /run/systemd/system ]]; then
        systemctl restart "$UNIT"
        log "restarted $UNIT"
    fi
}

case "${1:-install}" in
    install) cmd_install ;;
    rollback) cmd_rollback ;;
    *)
        printf 'usage: install-edge.sh [install | rollback]\n' >&2
        exit 2
        ;;
esac
