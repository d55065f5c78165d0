# hbscan - GNU Makefile. Out-of-tree build into build/; quiet unless V=1.
# User-overridable: CC CFLAGS LDFLAGS PREFIX DESTDIR WERROR SAN

PREFIX  ?= /usr/local
DESTDIR ?=
CC      ?= cc
BUILD   ?= build

PKGS := libpcre2-8 yaml-0.1 sqlite3 zlib
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
CMOCKA_CFLAGS := $(shell pkg-config --cflags cmocka 2>/dev/null)
CMOCKA_LIBS   := $(shell pkg-config --libs cmocka 2>/dev/null)

WARN := -Wall -Wextra -Wpedantic -Wshadow -Wformat=2 -Wstrict-prototypes \
        -Wmissing-prototypes -Wwrite-strings -Wcast-qual -Wvla \
        -Wimplicit-fallthrough -Wno-format-truncation
ifeq ($(WERROR),1)
WARN += -Werror
endif
ifeq ($(SAN),1)
SANFLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer \
            -fno-sanitize-recover=undefined
endif

CFLAGS ?= -O2 -g
ALL_CFLAGS := -std=c11 -D_GNU_SOURCE -DHB_PREFIX='"$(PREFIX)"' -Iinclude \
              $(WARN) $(SANFLAGS) $(PKG_CFLAGS) $(CFLAGS) -MMD -MP
ALL_LDFLAGS := $(SANFLAGS) $(LDFLAGS)
LIBS := $(PKG_LIBS) -lpthread -lm

ifeq ($(V),1)
Q :=
else
Q := @
endif

SRCS := $(sort $(wildcard analyzer/*.c))
OBJS := $(SRCS:analyzer/%.c=$(BUILD)/obj/%.o)
LIBOBJS := $(filter-out $(BUILD)/obj/main.o,$(OBJS))
TEST_SRCS := $(sort $(wildcard tests/test_*.c))
TEST_BINS := $(TEST_SRCS:tests/%.c=$(BUILD)/tests/%)
TOOL_SRCS := $(sort $(wildcard tests/tool_*.c))
TOOL_BINS := $(TOOL_SRCS:tests/%.c=$(BUILD)/tests/%)

.PHONY: all deps run test unit golden check bench install uninstall clean \
        format valgrind fuzz build test-inner

# Public targets first install missing packages (tools/deps.sh), then build
# in a sub-make so pkg-config is asked again after an install.
all: deps
	$(Q)$(MAKE) --no-print-directory build

deps:
	$(Q)sh tools/deps.sh

build: $(BUILD)/hbscan

$(BUILD)/obj/%.o: analyzer/%.c
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(ALL_CFLAGS) -c -o $@ $<

# The installed rules path is compiled in: rebuild when PREFIX changes.
.PHONY: FORCE
$(BUILD)/prefix.stamp: FORCE
	@mkdir -p $(@D)
	@echo '$(PREFIX)' | cmp -s - $@ 2>/dev/null || echo '$(PREFIX)' > $@
$(BUILD)/obj/rules.o $(BUILD)/obj/cmd_rules.o: $(BUILD)/prefix.stamp

$(BUILD)/libhbscan.a: $(LIBOBJS)
	@$(if $(Q),echo "  AR      $@")
	$(Q)rm -f $@ && ar rcs $@ $^

$(BUILD)/hbscan: $(BUILD)/obj/main.o $(BUILD)/libhbscan.a
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

$(BUILD)/tests/%: tests/%.c $(BUILD)/libhbscan.a
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(ALL_CFLAGS) $(CMOCKA_CFLAGS) -o $@ $< \
	    $(ALL_LDFLAGS) $(BUILD)/libhbscan.a $(LIBS) $(CMOCKA_LIBS) \
	    $(shell sed -n 's,^/\* *LDWRAP: *\(.*\) *\*/,\1,p' $<)

run: all
	$(Q)./$(BUILD)/hbscan scan --no-db testdata/demo/

# The sqlite3 shell lets the hostile-input and kill -9 suites inspect
# databases independently of hbscan's own query code.
test: deps
	$(Q)sh tools/deps.sh sqlite3
	$(Q)$(MAKE) --no-print-directory test-inner

test-inner: $(BUILD)/hbscan $(TEST_BINS) $(TOOL_BINS)
	$(Q)sh tests/run-all.sh $(BUILD)

# Sanitized binaries run 3-6x slower: the hostile-input suite's per-command
# limit (30 s, against hangs) triples, or its 100,000-file directory (18 s
# alone under ASan) timed out when the suites shared both cores.
check:
	$(Q)HOSTILE_TIMEOUT=$${HOSTILE_TIMEOUT:-90} \
	    $(MAKE) --no-print-directory BUILD=build/san SAN=1 WERROR=1 \
	    CFLAGS="-O1 -g" test

valgrind: all
	$(Q)sh tests/valgrind.sh $(BUILD)/hbscan

fuzz:
	$(Q)sh tests/fuzz/run.sh $(or $(FUZZ_SECONDS),60)

bench: all
	$(Q)sh tools/deps.sh ripgrep
	$(Q)$(MAKE) --no-print-directory $(TOOL_BINS)
	$(Q)sh tests/bench.sh $(BUILD)

install: all
	$(Q)$(MAKE) --no-print-directory build PREFIX=$(PREFIX)
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/hbscan/rules \
	    $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 0755 $(BUILD)/hbscan $(DESTDIR)$(PREFIX)/bin/hbscan
	cp -R rules/. $(DESTDIR)$(PREFIX)/share/hbscan/rules/
	install -m 0644 analyzer/hbscan.1 $(DESTDIR)$(PREFIX)/share/man/man1/hbscan.1

uninstall:
	rm -rf $(DESTDIR)$(PREFIX)/bin/hbscan $(DESTDIR)$(PREFIX)/share/hbscan \
	    $(DESTDIR)$(PREFIX)/share/man/man1/hbscan.1

format:
	clang-format -i analyzer/*.c include/*.h tests/*.c

clean:
	rm -rf build

-include $(OBJS:.o=.d)
