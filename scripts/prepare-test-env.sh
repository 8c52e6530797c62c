#!/usr/bin/env bash
# What the tests need, checked (and, where allowed, installed) in one place: `npm test` (test/run.mjs) and
# `.ci/run` both call it, so a fresh machine and CI cannot drift apart.
#   - PostgreSQL answering at TEST_DATABASE_SERVER (default postgres://postgres@127.0.0.1:5432)
#   - Redis answering at TEST_REDIS_URL (default redis://127.0.0.1:6379/0)
#   - Chromium at CHROMIUM_PATH (default /usr/bin/chromium), driven by playwright-core in the page tests
#   - the CJK font WenQuanYi Micro Hei (fonts-wqy-microhei) for Chinese text in chart PNGs
#   - LibreOffice (soffice, libreoffice-writer-nogui) and pdftotext (poppler-utils): the 通报 tests read the
#     .docx as an independent reader does, converted to PDF and then to text
# When all answer it prints nothing and exits 0. When something is missing: as root with apt-get it
# installs or starts it (as CI does); otherwise, or with TEST_PREPARE=check, it names the exact command
# to run and exits 2 before any test starts. TEST_PREPARE=skip skips it all.
#
#   bash scripts/prepare-test-env.sh            # check, install/start what is missing when root + apt-get
#   TEST_PREPARE=check bash scripts/prepare-test-env.sh   # check only, never install
#
# The functions can be sourced (tests replace the probes): source scripts/prepare-test-env.sh
set -euo pipefail

export DEBIAN_FRONTEND=noninteractive
LOG_PREFIX=${LOG_PREFIX:-prepare}
WAIT_SECONDS=${CI_WAIT_SECONDS:-60}
TEST_DATABASE_SERVER=${TEST_DATABASE_SERVER:-postgres://postgres@127.0.0.1:5432}
TEST_REDIS_URL=${TEST_REDIS_URL:-redis://127.0.0.1:6379/0}
CHROMIUM_PATH=${CHROMIUM_PATH:-/usr/bin/chromium}
# the same files src/charts/chart-png.ts gives resvg (Debian/Ubuntu, then Alpine/Fedora)
CJK_FONT_FILES=(/usr/share/fonts/truetype/wqy/wqy-microhei.ttc /usr/share/fonts/wqy-microhei/wqy-microhei.ttc)
# where a missing PostgreSQL or Redis is installed and started (the test URLs' defaults)
PG_PORT=5432
REDIS_HOST=127.0.0.1
REDIS_PORT=6379

log() { printf '[%s] %s\n' "$LOG_PREFIX" "$*" >&2; }
warn() { printf '[%s] WARNING: %s\n' "$LOG_PREFIX" "$*" >&2; }
die() { printf '[%s] ERROR: %s\n' "$LOG_PREFIX" "$*" >&2; exit 1; }

# apt-get update at most once per run; returns non-zero instead of exiting so that
# callers can decide whether a failure is fatal.
APT_UPDATED=0
apt_install() {
  if [ "$APT_UPDATED" -eq 0 ]; then
    apt-get update -qq </dev/null || return 1
    APT_UPDATED=1
  fi
  apt-get install -y -qq --no-install-recommends "$@" </dev/null || return 1
}

# Sets URL_HOST and URL_PORT from a postgres:// or redis:// URL ($2: the default port).
url_host_port() {
  local rest=${1#*://}
  rest=${rest%%/*}
  rest=${rest##*@}
  URL_HOST=${rest%:*} URL_PORT=${rest##*:}
  [ "$URL_HOST" != "$rest" ] || URL_PORT=$2
  [ -n "$URL_HOST" ] || URL_HOST=127.0.0.1
}

# Sends $3 (a printf format) to $1:$2 and checks the first byte of the reply against the pattern $4,
# in bash alone (/dev/tcp): no client tools needed, and no process started on the fast path.
probe_server() {
  exec 3<>"/dev/tcp/$1/$2" || return 1
  # shellcheck disable=SC2059
  printf "$3" >&3
  local reply
  IFS= read -r -n1 -t 2 reply <&3 || return 1
  # shellcheck disable=SC2053
  [[ $reply == $4 ]]
}

server_answers() {
  local URL_HOST URL_PORT
  url_host_port "$1" "$2"
  case $URL_HOST in
    127.* | localhost) (probe_server "$URL_HOST" "$URL_PORT" "$3" "$4") 2>/dev/null ;;
    # a remote host may drop packets: bound the connect too
    *) timeout 3 bash -c "$(declare -f probe_server); probe_server \"\$@\"" _ "$URL_HOST" "$URL_PORT" "$3" "$4" 2>/dev/null ;;
  esac
}

# ---------------------------------------------------------------- probes (0 = ready)
# PostgreSQL answers an SSLRequest with S or N; Redis answers PING with +PONG (or -NOAUTH: up all the same).
pg_ready() { server_answers "$TEST_DATABASE_SERVER" 5432 '\x00\x00\x00\x08\x04\xd2\x16\x2f' '[SN]'; }
redis_ready() { server_answers "$TEST_REDIS_URL" 6379 'PING\r\n' '[-+]'; }

chromium_ready() { [ -x "$CHROMIUM_PATH" ]; }

cjk_font_ready() {
  local f
  for f in "${CJK_FONT_FILES[@]}"; do [ -f "$f" ] && return 0; done
  return 1
}

office_ready() { command -v soffice >/dev/null 2>&1 && command -v pdftotext >/dev/null 2>&1; }

is_root() { [ "$(id -u)" = 0 ]; }
has_apt() { command -v apt-get >/dev/null 2>&1; }

# the needs not met, in order: postgres redis chromium font office
missing_needs() {
  local missing=()
  pg_ready || missing+=(postgres)
  redis_ready || missing+=(redis)
  chromium_ready || missing+=(chromium)
  cjk_font_ready || missing+=(font)
  office_ready || missing+=(office)
  echo "${missing[*]}"
}

# ---------------------------------------------------------------- what to tell a person
describe_need() {
  case $1 in
    postgres) echo "PostgreSQL does not answer at $TEST_DATABASE_SERVER (TEST_DATABASE_SERVER)" ;;
    redis) echo "Redis does not answer at $TEST_REDIS_URL (TEST_REDIS_URL)" ;;
    chromium)
      local hint=''
      [ "$CHROMIUM_PATH" = /usr/bin/chromium ] || hint="; apt's chromium is /usr/bin/chromium, the default when CHROMIUM_PATH is unset"
      echo "no Chromium at $CHROMIUM_PATH (CHROMIUM_PATH$hint), which the page tests drive"
      ;;
    font) echo "no CJK font WenQuanYi Micro Hei (fonts-wqy-microhei), which Chinese text in chart PNGs needs" ;;
    office) echo "no LibreOffice (soffice) or pdftotext, with which the 通报 tests read the .docx (libreoffice-writer-nogui, poppler-utils)" ;;
  esac
}

# The one command that provides the needs given as arguments, for a person to run:
# apt-get alone for the browser and the font; this script (installs and starts them) for a database or Redis.
fix_command() {
  local sudo='sudo ' need packages=() services=0
  is_root && sudo=''
  for need in "$@"; do
    case $need in
      postgres | redis) services=1 ;;
      chromium) packages+=(chromium) ;;
      font) packages+=(fonts-wqy-microhei) ;;
      office) packages+=(libreoffice-writer-nogui poppler-utils) ;;
    esac
  done
  if ! has_apt; then
    local what=()
    [ "$services" -eq 0 ] || what+=("start PostgreSQL and Redis (e.g. docker-compose up -d postgres redis)")
    [ "${#packages[@]}" -eq 0 ] || what+=("install ${packages[*]} with this system's package manager")
    local IFS=';' joined
    joined="${what[*]}"
    echo "${joined//;/, and }"
  elif [ "$services" -eq 1 ]; then
    echo "${sudo}bash scripts/prepare-test-env.sh"
  else
    echo "${sudo}apt-get install -y ${packages[*]}"
  fi
}

# ---------------------------------------------------------------- install / start
ensure_postgres() {
  if pg_ready; then
    log "PostgreSQL is ready at $TEST_DATABASE_SERVER"
    return 0
  fi

  local fresh=0
  if ! command -v pg_ctlcluster >/dev/null 2>&1 || [ -z "$(ls -A /etc/postgresql 2>/dev/null || true)" ]; then
    log "PostgreSQL not installed: installing it"
    apt_install postgresql || die "could not install postgresql"
    fresh=1
  fi

  local ver
  ver=$(ls /etc/postgresql | sort -V | tail -n 1)
  [ -n "$ver" ] || die "no PostgreSQL version under /etc/postgresql"
  if [ ! -d "/etc/postgresql/$ver/main" ]; then
    log "creating cluster $ver/main"
    pg_createcluster --port "$PG_PORT" "$ver" main >/dev/null
  fi

  if [ "$fresh" -eq 1 ]; then
    # Fresh install only: trust the postgres user from the loopback addresses
    # (first matching pg_hba.conf line wins, so these go on top).
    local hba="/etc/postgresql/$ver/main/pg_hba.conf"
    if ! grep -qE '^host[[:space:]]+all[[:space:]]+postgres[[:space:]]+127\.0\.0\.1/32[[:space:]]+trust' "$hba"; then
      log "pg_hba.conf: trust for postgres on 127.0.0.1 and ::1"
      sed -i '1i host    all    postgres    127.0.0.1/32    trust\nhost    all    postgres    ::1/128         trust' "$hba"
    fi
  fi

  if ! pg_ctlcluster "$ver" main status >/dev/null 2>&1; then
    log "starting PostgreSQL cluster $ver/main"
    pg_ctlcluster --skip-systemctl-redirect "$ver" main start
  elif [ "$fresh" -eq 1 ]; then
    pg_ctlcluster --skip-systemctl-redirect "$ver" main reload
  fi

  local i
  for ((i = 0; i < WAIT_SECONDS; i++)); do
    pg_ready && break
    sleep 1
  done
  pg_ready || die "PostgreSQL did not become ready at $TEST_DATABASE_SERVER within ${WAIT_SECONDS}s"
  log "PostgreSQL is ready at $TEST_DATABASE_SERVER"

  if ! psql "$TEST_DATABASE_SERVER/postgres" -w -tAc 'select 1' >/dev/null 2>&1; then
    warn "cannot log in without a password at $TEST_DATABASE_SERVER (pg_hba.conf not trust?)"
  fi
}

ensure_redis() {
  if redis_ready; then
    log "Redis is ready at $TEST_REDIS_URL"
    return 0
  fi
  if ! command -v redis-server >/dev/null 2>&1 || ! command -v redis-cli >/dev/null 2>&1; then
    log "Redis not installed: installing redis-server"
    apt_install redis-server || die "could not install redis-server"
  fi
  # the package's post-install may already have started one
  if ! redis_ready; then
    log "starting redis-server on $REDIS_HOST:$REDIS_PORT"
    redis-server --daemonize yes --bind "$REDIS_HOST" --port "$REDIS_PORT" --save "" --appendonly no >/dev/null
  fi
  local i
  for ((i = 0; i < WAIT_SECONDS; i++)); do
    redis_ready && break
    sleep 1
  done
  redis_ready || die "Redis did not answer PONG at $TEST_REDIS_URL within ${WAIT_SECONDS}s"
  log "Redis is ready at $TEST_REDIS_URL"
}

ensure_cjk_font() {
  if cjk_font_ready; then
    log "CJK font WenQuanYi Micro Hei is installed"
    return 0
  fi
  log "CJK font missing: installing fonts-wqy-microhei"
  # Not fatal here: the chart tests say what is missing if this fails.
  apt_install fonts-wqy-microhei fontconfig || warn "could not install fonts-wqy-microhei (Chinese text in chart PNGs will be missing)"
}

# The page tests drive Debian's Chromium through playwright-core (never a downloaded browser).
ensure_chromium() {
  if chromium_ready; then
    log "Chromium is installed: $CHROMIUM_PATH"
    return 0
  fi
  log "Chromium missing: installing chromium"
  apt_install chromium || die "could not install chromium (the browser tests need $CHROMIUM_PATH)"
  chromium_ready || die "chromium installed, but nothing at $CHROMIUM_PATH (CHROMIUM_PATH)"
}

# The 通报 tests convert the .docx with LibreOffice (headless, no GUI packages) and read the PDF with pdftotext.
ensure_office() {
  if office_ready; then
    log "LibreOffice and pdftotext are installed"
    return 0
  fi
  log "LibreOffice or pdftotext missing: installing libreoffice-writer-nogui poppler-utils"
  apt_install libreoffice-writer-nogui poppler-utils || die "could not install libreoffice-writer-nogui poppler-utils (the 通报 tests need soffice and pdftotext)"
}

# ---------------------------------------------------------------- main
# TEST_PREPARE: auto (default: install when root with apt-get, else say what to run), check (never
# install), skip (do nothing). Returns 2 when something is missing and was not installed.
prepare_test_env() {
  local mode=${TEST_PREPARE:-auto}
  case $mode in
    skip) return 0 ;;
    auto | check) ;;
    *) die "TEST_PREPARE=$mode: expected auto, check or skip" ;;
  esac
  local missing
  missing=$(missing_needs)
  [ -n "$missing" ] || return 0

  if [ "$mode" = auto ] && is_root && has_apt; then
    log "missing: $missing — installing (TEST_PREPARE=check to only check)"
    ensure_postgres
    ensure_redis
    ensure_cjk_font
    ensure_chromium
    ensure_office
    return 0
  fi

  local need
  {
    echo "[$LOG_PREFIX] The tests cannot run on this machine yet:"
    for need in $missing; do echo "  - $(describe_need "$need")"; done
    # shellcheck disable=SC2086
    echo "Run:  $(fix_command $missing)"
    echo "then npm test again (TEST_PREPARE=skip npm test runs the tests without this check)."
  } >&2
  return 2
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  cd "$(dirname "${BASH_SOURCE[0]}")/.."
  prepare_test_env
fi
