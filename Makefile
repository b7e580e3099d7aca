# redisha: one Makefile for the whole tree; every output goes under build/.
# `make help` lists the targets. V=1 prints full commands, SANITIZE=1
# builds the userspace programs with ASan+UBSan into build/sanitize/.

PYTHON := /usr/bin/python3
BUILD := build
BPF_OUT := $(BUILD)/bpf
ifeq ($(SANITIZE),1)
USER_OUT := $(BUILD)/sanitize
SAN_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all \
	-fno-omit-frame-pointer
else
USER_OUT := $(BUILD)
SAN_FLAGS :=
endif
# Test programs always run under ASan+UBSan: they are where bugs show.
TEST_OUT := $(BUILD)/tests
TEST_SAN := -fsanitize=address,undefined -fno-sanitize-recover=all \
	-fno-omit-frame-pointer

ifeq ($(V),1)
Q :=
say := @true
else
Q := @
say := @printf '  %-8s %s\n'
endif

CC := gcc
CLANG := clang
BPFTOOL := bpftool
WARN := -Wall -Wextra -Werror
CFLAGS := -std=gnu11 -O2 -g $(WARN) -Iinclude -Icontroller/common -I$(BPF_OUT)
# libbpf and libxdp are probed by pkg-config once the deps are installed.
LIBS_BPF = $(shell pkg-config --libs libxdp libbpf 2>/dev/null || \
	echo -lxdp -lbpf -lelf -lz)
LIBS_TEST := -lcmocka

BPF_CFLAGS := -O2 -g -target bpf -mcpu=v3 -D__TARGET_ARCH_x86 $(WARN) \
	-Wno-unused-parameter -Iinclude -I$(BUILD)
BPF_HEADERS := $(wildcard bpf/*.h) include/redisha/abi.h
BPF_OBJS := $(BPF_OUT)/redisha.bpf.o $(BPF_OUT)/xdp_pass.bpf.o
SKEL := $(BPF_OUT)/redisha.skel.h

CONFIG_SRCS := $(addprefix controller/common/,config.c config_directives.c \
	config_lex.c)
DATAPATH_SRCS := $(addprefix controller/common/,datapath.c datapath_setup.c \
	flows.c errmsg.c)
COMMON_HDRS := $(wildcard controller/common/*.h) include/redisha/abi.h

NET_SRCS := $(addprefix controller/common/,netlink.c garp.c errmsg.c)
LOOP_SRCS := controller/common/log.c controller/common/evloop.c \
	controller/common/cmdline.c
# $(sort) drops what two lists share (errmsg.c).
REDISHAD_SRCS := $(sort $(wildcard controller/redishad/*.c) $(CONFIG_SRCS) \
	$(DATAPATH_SRCS) $(NET_SRCS) $(LOOP_SRCS))
# redisha-ctl reuses the address parser of sentinel_event.c, nothing else of
# redishad's (it reads redishad's state file itself: controller/ctl/statefile.c).
CTL_SRCS := $(wildcard controller/ctl/*.c) $(DATAPATH_SRCS) \
	controller/redishad/sentinel_event.c $(CONFIG_SRCS) \
	controller/common/keyslot.c
# redisha-proxy's protocol and command layers, shared with its tests.
PROXY_PROTO_SRCS := $(addprefix controller/proxy/,buf.c resp.c)
PROXY_CMD_SRCS := $(addprefix controller/proxy/,command.c command_table.c)
PROXY_SRCS := $(sort $(wildcard controller/proxy/*.c) $(CONFIG_SRCS) \
	$(DATAPATH_SRCS) $(LOOP_SRCS) controller/common/keyslot.c)
PROGRAMS := $(USER_OUT)/redishad $(USER_OUT)/redisha-ctl \
	$(USER_OUT)/redisha-proxy

# Each unit test links the sources its test_<name>_SRCS names.
UNIT_TESTS := $(addprefix $(TEST_OUT)/unit/,test_config test_netlink_garp \
	test_sentinel_event test_keyslot test_resp test_command test_route \
	test_request test_proxy_stats test_vrrp)
test_config_SRCS := $(CONFIG_SRCS)
test_keyslot_SRCS := controller/common/keyslot.c controller/common/errmsg.c \
	$(CONFIG_SRCS)
test_netlink_garp_SRCS := $(NET_SRCS)
test_sentinel_event_SRCS := controller/redishad/sentinel_event.c
test_resp_SRCS := $(PROXY_PROTO_SRCS)
test_command_SRCS := $(PROXY_CMD_SRCS) $(PROXY_PROTO_SRCS)
test_route_SRCS := controller/proxy/route.c controller/common/keyslot.c \
	controller/common/errmsg.c $(PROXY_CMD_SRCS) $(PROXY_PROTO_SRCS) \
	$(CONFIG_SRCS)
test_request_SRCS := controller/proxy/request.c $(PROXY_PROTO_SRCS)
test_proxy_stats_SRCS := controller/redishad/proxy_stats.c
test_vrrp_SRCS := controller/redishad/vrrp.c controller/redishad/vrrp_packet.c
BPF_TESTS := $(TEST_OUT)/bpf/test_xdp_nat $(TEST_OUT)/bpf/test_xdp_pass $(TEST_OUT)/bpf/test_xdp_malformed

.PHONY: all help deps bpf programs tests clean test test-unit test-bpf test-e2e bench-xdp bench-proxy bench-ha fuzz \
	lab-up lab-down lab-status demo chaos vm-setup vm-test vm-test-self

all: bpf programs tests

help:
	@echo 'make            build everything into build/ (V=1: full commands)'
	@echo 'make deps       install build and test dependencies (Debian apt)'
	@echo 'make SANITIZE=1 build userspace with ASan+UBSan'
	@echo 'make test       deps, build, then every suite'
	@echo 'make test-unit  cmocka unit tests'
	@echo 'make fuzz       libFuzzer targets for FUZZ_SECONDS each (default 30)'
	@echo 'make test-bpf   XDP program tests through BPF_PROG_TEST_RUN'
	@echo 'make test-e2e   end-to-end tests on the namespace lab (pytest), daemons under ASan+UBSan'
	@echo 'make bench-xdp  ns per packet on each XDP path -> build/bench/xdp.json'
	@echo 'make bench-proxy  redisha-proxy vs nutcracker through the lab -> build/bench/proxy.json'
	@echo 'make bench-ha   gateway takeover, redishad pair vs keepalived pair, on the lab -> build/bench/ha.json'
	@echo 'make lab-up     start the lab: namespaces, Redis, Sentinels'
	@echo 'make lab-down   stop the lab and remove everything it made'
	@echo 'make lab-status print the fleet'
	@echo 'make demo       the gateway on the lab: traffic, a failover, the timings'
	@echo 'make chaos      CHAOS_FAULTS (20) faults under load, seed CHAOS_SEED -> build/chaos/report.json'
	@echo 'make vm-setup   qemu and Debian 12 kernel (6.1) for the VM harness; part of deps'
	@echo 'make vm-test    test-bpf and a lab smoke test in a VM on that kernel'
	@echo 'make vm-test-self  tests of the VM harness (vm-test/run) itself'
	@echo 'make clean      remove build/'

deps:
	$(Q)bash tests/deps.sh
	$(Q)$(MAKE) --no-print-directory vm-setup

# ---- BPF ------------------------------------------------------------------

bpf: $(BPF_OBJS) $(SKEL)

# BTF of the running kernel; CO-RE relocates against the target kernel's.
$(BUILD)/vmlinux.h:
	$(say) GEN $@
	$(Q)mkdir -p $(@D)
	$(Q)$(BPFTOOL) btf dump file /sys/kernel/btf/vmlinux format c > $@.tmp
	$(Q)mv $@.tmp $@

$(BPF_OUT)/%.bpf.o: bpf/%.bpf.c $(BPF_HEADERS) $(BUILD)/vmlinux.h
	$(say) CLANG $@
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(BPF_OUT)/%.skel.h: $(BPF_OUT)/%.bpf.o Makefile
	$(say) SKEL $@
	$(Q)$(BPFTOOL) gen skeleton $< name $(subst .skel.h,_bpf,$(@F)) > $@.tmp
	$(Q)mv $@.tmp $@

# ---- programs -------------------------------------------------------------

programs: $(PROGRAMS)

$(USER_OUT)/redishad: $(REDISHAD_SRCS) $(COMMON_HDRS) \
		$(wildcard controller/redishad/*.h) $(SKEL)
	$(say) CC $@
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) $(SAN_FLAGS) -Icontroller/redishad $(REDISHAD_SRCS) \
		-o $@ $(LIBS_BPF) -lhiredis

$(USER_OUT)/redisha-ctl: $(CTL_SRCS) $(COMMON_HDRS) \
		$(wildcard controller/ctl/*.h) controller/redishad/sentinel_event.h \
		$(SKEL)
	$(say) CC $@
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) $(SAN_FLAGS) -Icontroller/redishad $(CTL_SRCS) \
		-o $@ $(LIBS_BPF)

$(USER_OUT)/redisha-proxy: $(PROXY_SRCS) $(COMMON_HDRS) \
		$(wildcard controller/proxy/*.h) $(SKEL)
	$(say) CC $@
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) $(SAN_FLAGS) -Icontroller/proxy $(PROXY_SRCS) \
		-o $@ $(LIBS_BPF) -lpthread

# ---- tests ----------------------------------------------------------------

LAB_TOOLS := $(TEST_OUT)/lab/lab_gateway

tests: $(UNIT_TESTS) $(BPF_TESTS) $(LAB_TOOLS)

# The lab's stand-in for redishad (tests/lab/lab_gateway.c).
$(TEST_OUT)/lab/lab_gateway: tests/lab/lab_gateway.c $(CONFIG_SRCS) \
		$(DATAPATH_SRCS) $(COMMON_HDRS) $(SKEL)
	$(say) CC $@
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) $(TEST_SAN) $< $(CONFIG_SRCS) $(DATAPATH_SRCS) \
		-o $@ $(LIBS_BPF)

.SECONDEXPANSION:
$(TEST_OUT)/unit/test_%: tests/unit/test_%.c $$(test_$$*_SRCS) $(COMMON_HDRS) \
		$(wildcard controller/redishad/*.h controller/proxy/*.h)
	$(say) CC $@
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) $(TEST_SAN) -Icontroller/redishad -Icontroller/proxy $< \
		$(test_$*_SRCS) -o $@ $(LIBS_TEST)

BPF_TEST_LIB := tests/bpf/packet.c tests/bpf/xdp_fixture.c $(DATAPATH_SRCS)
$(TEST_OUT)/bpf/test_%: tests/bpf/test_%.c $(BPF_TEST_LIB) $(wildcard tests/bpf/*.h) \
		$(SKEL) $(COMMON_HDRS)
	$(say) CC $@
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) $(TEST_SAN) -Itests/bpf $< $(BPF_TEST_LIB) -o $@ \
		$(LIBS_BPF) $(LIBS_TEST)

# `make test` installs and builds what is missing, runs every suite, and
# fails if any suite failed (each prints its own summary).
test: deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)status=0; \
	for suite in test-unit fuzz test-bpf test-e2e vm-test vm-test-self; do \
		echo "==== $$suite"; \
		$(MAKE) --no-print-directory $$suite || status=1; \
	done; \
	if [ $$status = 0 ]; then echo '==== all suites passed'; \
	else echo '==== FAILED: see the suites above'; fi; \
	exit $$status

test-unit: $(UNIT_TESTS)
	$(Q)status=0; for t in $^; do $$t || status=1; done; exit $$status

test-bpf: $(BPF_TESTS)
	$(Q)status=0; for t in $^; do $$t || status=1; done; exit $$status

# The daemons under test are the ASan+UBSan build: an error aborts them and
# fails the test that was running.
test-e2e: bpf $(LAB_TOOLS)
	$(Q)$(MAKE) --no-print-directory SANITIZE=1 programs
	$(Q)REDISHA_BIN=$(BUILD)/sanitize $(PYTHON) -m pytest -v tests/e2e

# ---- fuzzing ----------------------------------------------------------------

# libFuzzer targets (tests/fuzz/README.md), with ASan+UBSan. `make fuzz`
# runs each for FUZZ_SECONDS from its seed corpus; crashes land in
# $(FUZZ_OUT)/ as crash-* files and fail the target.
FUZZ_OUT := $(BUILD)/fuzz
FUZZ_SECONDS ?= 30
FUZZ_TARGETS := $(FUZZ_OUT)/fuzz_resp

$(FUZZ_OUT)/fuzz_resp: tests/fuzz/fuzz_resp.c $(PROXY_PROTO_SRCS) \
		$(wildcard controller/proxy/*.h)
	$(say) CLANG $@
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) -std=gnu11 -O1 -g $(WARN) -Icontroller/proxy \
		-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
		$< $(PROXY_PROTO_SRCS) -o $@

fuzz: $(FUZZ_TARGETS)
	$(Q)status=0; for t in $^; do \
		name=$$(basename $$t); mkdir -p $(FUZZ_OUT)/$$name.corpus; \
		echo "fuzz: $$name for $(FUZZ_SECONDS) s"; \
		$$t -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
			-artifact_prefix=$(FUZZ_OUT)/$$name- \
			$(FUZZ_OUT)/$$name.corpus tests/fuzz/corpus/$$name \
			> $(FUZZ_OUT)/$$name.log 2>&1 || { status=1; \
			tail -40 $(FUZZ_OUT)/$$name.log; }; \
		grep -E '^(stat::number_of_executed_units|Done)' \
			$(FUZZ_OUT)/$$name.log || true; \
	done; exit $$status

# ---- benchmarks -------------------------------------------------------------

BENCH_OUT := $(BUILD)/bench
BENCH_SKELS := $(BENCH_OUT)/ref_trivial.skel.h $(BENCH_OUT)/ref_lookup.skel.h

# Reference programs that exist only to be timed beside the datapath.
$(BENCH_OUT)/%.bpf.o: tests/bench/%.bpf.c $(BPF_HEADERS) $(BUILD)/vmlinux.h
	$(say) CLANG $@
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(BPF_CFLAGS) -Ibpf -c $< -o $@

$(BENCH_OUT)/%.skel.h: $(BENCH_OUT)/%.bpf.o Makefile
	$(say) SKEL $@
	$(Q)$(BPFTOOL) gen skeleton $< name $(subst .skel.h,_bpf,$(@F)) > $@.tmp
	$(Q)mv $@.tmp $@

# Built without sanitizers: it measures.
$(BENCH_OUT)/bench_xdp: tests/bench/bench_xdp.c $(BPF_TEST_LIB) \
		$(wildcard tests/bpf/*.h) $(SKEL) $(BENCH_SKELS) $(COMMON_HDRS)
	$(say) CC $@
	$(Q)$(CC) $(CFLAGS) -I$(BENCH_OUT) -Itests/bpf $< $(BPF_TEST_LIB) -o $@ \
		$(LIBS_BPF) $(LIBS_TEST)

bench-xdp: $(BENCH_OUT)/bench_xdp
	$(Q)$(BENCH_OUT)/bench_xdp $(BENCH_OUT)/xdp.json

# redis-benchmark through redisha-proxy and nutcracker on the lab, with the
# normal (unsanitized) programs: it measures (tests/bench/README.md).
bench-proxy: bpf programs
	$(Q)$(PYTHON) tests/bench/bench_proxy.py $(BENCH_OUT)/proxy.json

# Takeover of the VIP by the backup gateway, a redishad pair against a
# keepalived + haproxy pair, on the lab, unsanitized (tests/bench/README.md).
bench-ha: bpf programs
	$(Q)$(PYTHON) tests/bench/bench_ha.py $(BENCH_OUT)/ha.json

# ---- vm-test ----------------------------------------------------------------

# The suites on another kernel in a throwaway VM (vm-test/README.md).
# VM_KERNEL: auto (Debian's linux-image-amd64) or a .deb, image or tree.
VM_KERNEL ?= auto
VM_RESULTS ?= $(BUILD)/vm/results
VM_TIMEOUT ?= 600

# Debian 12's own kernel (6.1) fetched into build/vm/, its initramfs, the
# KVM probe; installs the harness's packages through tests/deps.sh if any is
# missing. Quick once done.
vm-setup:
	$(Q)$(PYTHON) vm-test/setup

# In the VM: the BPF test binaries built here, run unchanged (the object is
# CO-RE), then vm-test/lab-smoke. Logs, TAP and the console in $(VM_RESULTS).
vm-test: bpf $(BPF_TESTS) $(LAB_TOOLS)
	$(Q)$(PYTHON) vm-test/run --kernel $(VM_KERNEL) --timeout $(VM_TIMEOUT) \
		--results $(VM_RESULTS) --console $(VM_RESULTS)/console.log \
		-- vm-test/suite $(BPF_TESTS)

vm-test-self:
	$(Q)$(PYTHON) -m pytest -v vm-test/tests

# ---- lab ------------------------------------------------------------------

lab-up: bpf
	$(Q)$(PYTHON) tests/lab/lab.py up

lab-down:
	$(Q)$(PYTHON) tests/lab/lab.py down

lab-status:
	$(Q)$(PYTHON) tests/lab/lab.py status

# The gateway's main job on the lab, step by step (tests/lab/demo.py).
demo: deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)$(PYTHON) tests/lab/demo.py

# Faults one at a time under write load through both paths, every
# acknowledged write read back (tests/chaos/chaos.py, docs/reliability.md).
# CHAOS_FAULTS=N CHAOS_SEED=S in the environment.
chaos: bpf programs
	$(Q)$(PYTHON) tests/chaos/chaos.py

clean:
	rm -rf $(BUILD)
