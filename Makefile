# invd / invctl: one plain Makefile.
#   make            build build/invd and build/invctl
#   make run        install missing packages, build, run invd on ./var
#   make check      install missing packages, build, run the unit tests of
#                   a normal and an ASan + UBSan build, a short crash test and
#                   short fuzz runs, then the end-to-end tests: the normal
#                   build over TCP and the ASan build over the Unix socket
#   make crash-test kill -9 invd under load CRASH_CYCLES (50) times
#   make install    PREFIX=/usr/local DESTDIR=
#   make bench, make bench-scale, make soak   measure (never part of check)

PREFIX		?= /usr/local
BINDIR		?= $(PREFIX)/bin
SBINDIR		?= $(PREFIX)/sbin
MANDIR		?= $(PREFIX)/share/man
BASHCOMPDIR	?= $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR	?= $(PREFIX)/share/zsh/vendor-completions
FISHCOMPDIR	?= $(PREFIX)/share/fish/vendor_completions.d
SYSTEMDDIR	?= $(PREFIX)/lib/systemd/system
SYSCONFDIR	?= /etc
DOCDIR		?= $(PREFIX)/share/doc/invd

B		?= build
SANITIZE	?=

CC		?= cc
PKGS		:= libevent json-c lmdb openssl
PKG_CFLAGS	:= $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS	:= $(shell pkg-config --libs $(PKGS) 2>/dev/null)
LIBS_INVD	:= $(PKG_LIBS) -lpthread
LIBS_INVCTL	:= $(PKG_LIBS) -lreadline
LIBS_UNIT	:= $(PKG_LIBS) -lcmocka -lpthread

WARN		:= -Wall -Wextra -Werror -Wshadow -Wmissing-prototypes \
		   -Wstrict-prototypes -Wformat=2 -Wpointer-arith
CFLAGS		?= -O2 -g
CFLAGS		+= -std=gnu11 -D_GNU_SOURCE $(WARN) -I. $(PKG_CFLAGS) -MMD -MP
ifneq ($(SANITIZE),)
CFLAGS		+= -fsanitize=address,undefined -fno-omit-frame-pointer \
		   -fno-sanitize-recover=undefined
LDFLAGS		+= -fsanitize=address,undefined
endif

ifeq ($(V),1)
Q :=
else
Q := @
endif

COMMON_SRC	:= $(wildcard common/*.c)
INVD_SRC	:= $(filter-out invd/main.c,$(wildcard invd/*.c))
INVCTL_SRC	:= $(filter-out invctl/main.c,$(wildcard invctl/*.c))
UNIT_SRC	:= $(wildcard tests/unit/test_*.c)

# Files built into invd as C arrays (invd/embed.h): the OpenAPI document,
# with INV_VERSION from common/api.h put in, and the /docs page.
EMBED_SRC	:= $(B)/gen/openapi_json.c $(B)/gen/docs_html.c
INV_VERSION	:= $(shell sed -n 's/^\#define INV_VERSION[^"]*"\(.*\)"/\1/p' \
		   common/api.h)

COMMON_OBJ	:= $(COMMON_SRC:%.c=$(B)/obj/%.o)
INVD_OBJ	:= $(INVD_SRC:%.c=$(B)/obj/%.o) $(EMBED_SRC:%.c=$(B)/obj/%.o)
INVCTL_OBJ	:= $(INVCTL_SRC:%.c=$(B)/obj/%.o)
UNIT_BIN	:= $(UNIT_SRC:tests/unit/%.c=$(B)/tests/%)
HELPER_SRC	:= $(wildcard tests/helpers/*.c)
HELPER_BIN	:= $(HELPER_SRC:tests/helpers/%.c=$(B)/tests/%)

all: $(B)/invd $(B)/invctl

$(B)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(CFLAGS) -c $< -o $@

# embed NAME: stdin as the bytes of embed_NAME[] and its length.
embed = { echo '\#include "invd/embed.h"'; \
	  echo 'const unsigned char embed_$(1)[] = {'; xxd -i; \
	  echo '};'; echo 'const size_t embed_$(1)_len = sizeof embed_$(1);'; }

$(B)/gen/openapi_json.c: invd/openapi.json common/api.h
	@mkdir -p $(dir $@)
	$(Q)sed 's/@INV_VERSION@/$(INV_VERSION)/' $< | \
	    $(call embed,openapi_json) >$@.tmp && mv $@.tmp $@

$(B)/gen/docs_html.c: invd/docs.html
	@mkdir -p $(dir $@)
	$(Q)$(call embed,docs_html) <$< >$@.tmp && mv $@.tmp $@

$(B)/libcommon.a: $(COMMON_OBJ)
	$(Q)rm -f $@ && ar rcs $@ $^

$(B)/libinvd.a: $(INVD_OBJ)
	$(Q)rm -f $@ && ar rcs $@ $^

$(B)/libinvctl.a: $(INVCTL_OBJ)
	$(Q)rm -f $@ && ar rcs $@ $^

$(B)/invd: $(B)/obj/invd/main.o $(B)/libinvd.a $(B)/libcommon.a
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LIBS_INVD)

$(B)/invctl: $(B)/obj/invctl/main.o $(B)/libinvctl.a $(B)/libcommon.a
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LIBS_INVCTL)

$(B)/tests/test_%: $(B)/obj/tests/unit/test_%.o $(B)/libinvd.a $(B)/libinvctl.a $(B)/libcommon.a
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LIBS_UNIT) -lreadline

# Small programs the end-to-end tests run, found next to $(INVD).
$(B)/tests/%: $(B)/obj/tests/helpers/%.o
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS)

.SECONDARY: $(HELPER_SRC:%.c=$(B)/obj/%.o)

# The crash test (tests/crash): kill -9 under concurrent writes, restart,
# check every acknowledged write. CRASH_SEED replays a run's schedule.
CRASH_CYCLES	?= 50
CRASH_SHORT	?= 5
CRASH_LOAD	:= $(B)/tests/crashload

$(CRASH_LOAD): $(B)/obj/tests/crash/crashload.o $(B)/libcommon.a
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) -lpthread

crash-test: all $(CRASH_LOAD)
	$(Q)tests/crash/run.sh $(B)/invd $(CRASH_LOAD) $(CRASH_CYCLES) $(CRASH_SEED)

crash-short: all $(CRASH_LOAD)
	$(Q)tests/crash/run.sh $(B)/invd $(CRASH_LOAD) $(CRASH_SHORT) $(CRASH_SEED)

# Fuzzing (tests/fuzz): libFuzzer targets, the whole tree built again with
# clang, coverage and ASan + UBSan in build/fuzz. make fuzz runs each for
# FUZZ_TIME seconds; check runs each for FUZZ_SHORT with a fixed seed.
FUZZ_B		:= build/fuzz
FUZZ_CC		?= clang
FUZZ_CFLAGS	:= -O1 -g -fno-omit-frame-pointer -fno-sanitize-recover=undefined \
		   -fsanitize=fuzzer-no-link,address,undefined
FUZZ_TARGETS	:= request json validate invctl shell
FUZZ_TIME	?= 60
FUZZ_SHORT	?= 6
FUZZ_BIN	:= $(FUZZ_TARGETS:%=$(B)/fuzz_%)

$(B)/fuzz_%: $(B)/obj/tests/fuzz/fuzz_%.o $(B)/obj/tests/fuzz/argv.o \
    $(B)/libinvd.a $(B)/libinvctl.a $(B)/libcommon.a
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS) -fsanitize=fuzzer,address,undefined -o $@ $^ \
	    $(PKG_LIBS) -lreadline -lpthread

fuzz-bins: $(FUZZ_BIN)

fuzz-build:
	$(Q)CFLAGS='$(FUZZ_CFLAGS)' $(MAKE) --no-print-directory B=$(FUZZ_B) \
	    CC=$(FUZZ_CC) fuzz-bins

fuzz: fuzz-build
	$(Q)tests/fuzz/run.sh $(FUZZ_B) $(FUZZ_TIME) $(FUZZ_TARGETS)

fuzz-short: fuzz-build
	$(Q)FUZZ_SEED=1 tests/fuzz/run.sh $(FUZZ_B) $(FUZZ_SHORT) $(FUZZ_TARGETS)

# Packages: install what is missing (needs root or sudo), once.
RUN_PKGS	:= build-essential pkg-config openssl xxd libevent-dev \
		   libjson-c-dev liblmdb-dev libssl-dev libreadline-dev
TEST_PKGS	:= $(RUN_PKGS) libcmocka-dev bats curl jq mandoc lmdb-utils \
		   procps socat tmux zsh fish bsdextrautils openssl python3 \
		   python3-prometheus-client python3-jsonschema clang libclang-rt-dev

deps:
	$(Q)tests/deps.sh $(RUN_PKGS)

test-deps:
	$(Q)tests/deps.sh $(TEST_PKGS)

# Benchmarks (tests/bench/README.md): an optimised build in build/bench, then
# one bounded run (~2 min) against this machine's limits. Measures only;
# never part of check.
BENCH_PKGS	:= $(RUN_PKGS) wrk nginx-light curl jq
BENCH_B		:= build/bench

bench-deps:
	$(Q)tests/deps.sh $(BENCH_PKGS)

bench: bench-deps
	$(Q)CFLAGS='-O2 -g -DNDEBUG' $(MAKE) --no-print-directory B=$(BENCH_B) all
	$(Q)bash tests/bench/run.sh $(abspath $(BENCH_B)/invd) \
	    $(abspath $(BENCH_B)/results.json)

# bench-scale: the same requests on 1,000 and on 1,000,000 products (5M
# orders): costs, start-up time and memory (tests/bench/README.md). ~3 min
# and ~2 GiB of temporary disk.
bench-scale: bench-deps
	$(Q)CFLAGS='-O2 -g -DNDEBUG' $(MAKE) --no-print-directory B=$(BENCH_B) \
	    all $(BENCH_B)/libinvd.a $(BENCH_B)/libcommon.a
	$(Q)bash tests/bench/scale.sh $(abspath $(BENCH_B)) \
	    $(abspath $(BENCH_B)/scale.json)

# soak: SOAK_SECONDS (600) of mixed load on one invd; fails on any request
# error or on memory growth after warm-up (tests/bench/soak.sh).
soak: bench-deps
	$(Q)CFLAGS='-O2 -g -DNDEBUG' $(MAKE) --no-print-directory B=$(BENCH_B) all
	$(Q)bash tests/bench/soak.sh $(abspath $(BENCH_B))

run: deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)mkdir -p var
	exec $(B)/invd

unit: $(UNIT_BIN)
	$(Q)set -e; for t in $(UNIT_BIN); do echo "== $$t"; $$t; done

# The replies the e2e tests see through api() and batch() are recorded and
# checked against the OpenAPI document (tests/e2e/contract.py).
e2e: all $(HELPER_BIN)
	$(Q)set -e; for t in $(E2E_TRANSPORTS); do echo "== e2e over $$t"; \
	    log=$(abspath $(B))/contract-$$t.log; rm -f $$log; \
	    INV_CONTRACT_LOG=$$log INV_TRANSPORT=$$t \
	    INVD=$(abspath $(B)/invd) INVCTL=$(abspath $(B)/invctl) \
	    bats $(BATS_FLAGS) tests/e2e; \
	    /usr/bin/python3 tests/e2e/contract.py invd/openapi.json $$log; \
	    done

# make e2e runs the suite over both transports. check runs it twice at
# once, since one pass keeps about one of the two cores busy: the normal
# build over TCP and the AddressSanitizer + UBSan build over the Unix
# socket, so every test meets both transports and the sanitizers. Each
# pass's output is shown when both are done.
E2E_TRANSPORTS	?= tcp unix

check: test-deps
	$(Q)$(MAKE) --no-print-directory all unit crash-short fuzz-short
	$(Q)$(MAKE) --no-print-directory B=build/asan SANITIZE=1 all unit
	$(Q)mkdir -p build; \
	    ($(MAKE) --no-print-directory E2E_TRANSPORTS=tcp e2e \
	    >build/check-tcp.log 2>&1; echo $$? >build/check-tcp.rc) & \
	    ($(MAKE) --no-print-directory B=build/asan SANITIZE=1 \
	    E2E_TRANSPORTS=unix e2e >build/check-asan-unix.log 2>&1; \
	    echo $$? >build/check-asan-unix.rc) & \
	    wait; \
	    cat build/check-tcp.log build/check-asan-unix.log; \
	    test "$$(cat build/check-tcp.rc)" = 0 && \
	    test "$$(cat build/check-asan-unix.rc)" = 0
	@echo "check: all tests passed (normal build over TCP, ASan/UBSan" \
	    "build over the Unix socket, crash test, fuzzers)"

install: all
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(BINDIR) \
	    $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(MANDIR)/man1 \
	    $(DESTDIR)$(MANDIR)/man5 \
	    $(DESTDIR)$(SYSTEMDDIR)
	install -m 0755 $(B)/invd $(DESTDIR)$(SBINDIR)/invd
	install -m 0755 $(B)/invctl $(DESTDIR)$(BINDIR)/invctl
	install -m 0644 man/invd.8 $(DESTDIR)$(MANDIR)/man8/invd.8
	install -m 0644 man/invctl.1 $(DESTDIR)$(MANDIR)/man1/invctl.1
	install -d $(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(ZSHCOMPDIR) \
	    $(DESTDIR)$(FISHCOMPDIR)
	install -m 0644 completions/invctl.bash $(DESTDIR)$(BASHCOMPDIR)/invctl
	install -m 0644 completions/_invctl $(DESTDIR)$(ZSHCOMPDIR)/_invctl
	install -m 0644 completions/invctl.fish \
	    $(DESTDIR)$(FISHCOMPDIR)/invctl.fish
	sed 's|/usr/local/sbin/invd|$(SBINDIR)/invd|' invd.service \
	    >$(DESTDIR)$(SYSTEMDDIR)/invd.service
	install -m 0644 invd.socket $(DESTDIR)$(SYSTEMDDIR)/invd.socket
	install -m 0644 man/invd.conf.5 $(DESTDIR)$(MANDIR)/man5/invd.conf.5
	install -d $(DESTDIR)$(DOCDIR) $(DESTDIR)$(SYSCONFDIR)/invd
	install -m 0644 invd/invd.conf.example $(DESTDIR)$(DOCDIR)/invd.conf.example
	@# A configuration and a webhook secret of one's own, never overwritten.
	test -e $(DESTDIR)$(SYSCONFDIR)/invd/invd.conf || install -m 0644 \
	    invd/invd.conf.example $(DESTDIR)$(SYSCONFDIR)/invd/invd.conf
	test -e $(DESTDIR)$(SYSCONFDIR)/invd/webhook-secret || \
	    (umask 077 && openssl rand -hex 32 \
	    >$(DESTDIR)$(SYSCONFDIR)/invd/webhook-secret)

uninstall:
	rm -f $(DESTDIR)$(SBINDIR)/invd $(DESTDIR)$(BINDIR)/invctl \
	    $(DESTDIR)$(MANDIR)/man8/invd.8 $(DESTDIR)$(MANDIR)/man1/invctl.1 \
	    $(DESTDIR)$(SYSTEMDDIR)/invd.service \
	    $(DESTDIR)$(BASHCOMPDIR)/invctl $(DESTDIR)$(ZSHCOMPDIR)/_invctl \
	    $(DESTDIR)$(FISHCOMPDIR)/invctl.fish \
	    $(DESTDIR)$(SYSTEMDDIR)/invd.socket \
	    $(DESTDIR)$(MANDIR)/man5/invd.conf.5 \
	    $(DESTDIR)$(DOCDIR)/invd.conf.example
	@echo "kept $(SYSCONFDIR)/invd (configuration and secret) and the data"

clean:
	rm -rf build

.PHONY: all deps test-deps run unit e2e check install uninstall clean \
	bench bench-deps bench-scale soak crash-test crash-short fuzz \
	fuzz-short fuzz-build fuzz-bins

-include $(shell find $(B) -name '*.d' -type f 2>/dev/null)
