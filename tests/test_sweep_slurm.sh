#!/bin/bash
# test_sweep_slurm.sh - `spattn sweep --slurm` on a real single-node Slurm
# (docs/sweep.md "Beyond one machine"): starts munged, slurmctld and slurmd
# on localhost with a generated key and slurm.conf in a temporary
# directory, submits the array job spattn wrote, waits for it, runs
# --collect and compares sweep.csv and sweep.json byte for byte with a
# local run; stops the daemons it started, by their PIDs. Skipped, with
# the reason, when not root or the Debian slurm-wlm / munge packages are
# missing. Run from the project root:
#   SPATTN=build/spattn tests/test_sweep_slurm.sh
set -u
BIN=${SPATTN:-build/spattn}
case $BIN in /*) ;; *) BIN=$PWD/$BIN ;; esac
ROOT=$PWD
TRACE=synth:layers=2,heads=2,d=32,len=64,iters=2,seed=1
TASKS=3

if [ "$(id -u)" != 0 ]; then
    echo "test_sweep_slurm: skipped: not root (slurmd and munged run as root here)"
    exit 0
fi
for p in munged slurmctld slurmd sbatch squeue; do
    if ! command -v $p >/dev/null 2>&1 && [ ! -x /usr/sbin/$p ]; then
        echo "test_sweep_slurm: skipped: $p not found (apt-get install slurm-wlm munge)"
        exit 0
    fi
done
PATH=$PATH:/usr/sbin
TD=$(mktemp -d /tmp/spattn-test-slurm.XXXXXX)
chmod 755 "$TD"
PIDS=()
stop() {
    for f in "$TD/slurmd.pid" "$TD/slurmctld.pid" "$TD/munged.pid"; do
        [ -s "$f" ] || continue
        pid=$(cat "$f")
        kill "$pid" 2>/dev/null
        for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
    done
    rm -rf "$TD"
}
trap 'cd /; stop' EXIT
fails=0 checks=0
ok() { checks=$((checks + 1)); }
bad() { checks=$((checks + 1)); fails=$((fails + 1)); echo "FAIL: $*"; }

# munge: a generated key, our own socket
mkdir -p "$TD/munge" "$TD/state" "$TD/spool"
chmod 700 "$TD/munge"
head -c 1024 /dev/urandom >"$TD/munge/key"
chmod 400 "$TD/munge/key"
SOCK=$TD/munge/socket
munged --force --key-file="$TD/munge/key" --socket="$SOCK" --pid-file="$TD/munged.pid" \
    --log-file="$TD/munged.log" --seed-file="$TD/munge/seed" >"$TD/munged.out" 2>&1 ||
    { echo "FAIL: munged did not start: $(cat "$TD/munged.out" "$TD/munged.log" 2>/dev/null)"; exit 1; }

HOST=$(hostname -s)
CPUS=$(nproc)
P0=$((17000 + $$ % 2000))
cat >"$TD/slurm.conf" <<EOF
ClusterName=spattntest
SlurmctldHost=$HOST
SlurmctldPort=$P0
SlurmdPort=$((P0 + 1))
AuthType=auth/munge
AuthInfo=socket=$SOCK
CredType=cred/munge
SlurmUser=root
SlurmdUser=root
StateSaveLocation=$TD/state
SlurmdSpoolDir=$TD/spool
SlurmctldPidFile=$TD/slurmctld.pid
SlurmdPidFile=$TD/slurmd.pid
SlurmctldLogFile=$TD/slurmctld.log
SlurmdLogFile=$TD/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerType=sched/builtin
ReturnToService=2
MpiDefault=none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SlurmctldTimeout=30
SlurmdTimeout=30
NodeName=$HOST CPUs=$CPUS RealMemory=1000 State=UNKNOWN
PartitionName=test Nodes=$HOST Default=YES MaxTime=INFINITE State=UP
EOF
export SLURM_CONF=$TD/slurm.conf
slurmctld -f "$SLURM_CONF" -i >"$TD/slurmctld.out" 2>&1 ||
    { echo "FAIL: slurmctld did not start: $(cat "$TD/slurmctld.out" "$TD/slurmctld.log" 2>/dev/null)"; exit 1; }
slurmd -f "$SLURM_CONF" >"$TD/slurmd.out" 2>&1 ||
    { echo "FAIL: slurmd did not start: $(cat "$TD/slurmd.out" "$TD/slurmd.log" 2>/dev/null)"; exit 1; }
# the node up
up=0
for _ in $(seq 1 300); do
    if sinfo -h -o %t 2>/dev/null | grep -qE '^(idle|mix|alloc)'; then up=1; break; fi
    sleep 0.2
done
[ $up = 1 ] && ok || { bad "node not up: $(sinfo 2>&1) $(tail -5 "$TD/slurmctld.log")"; exit 1; }

cat >"$TD/sweep.yaml" <<EOF
include: $ROOT/configs/paper.yaml
sweep:
  axes:
    - key: algorithm.token_keep
      values: [0.5, 0.8, 1.0]
    - key: hardware.qk_multipliers
      values: [128, 256, 512, 1024]
EOF
# relative names, as a user types them: the tasks run from this directory
cd "$TD" || exit 1
"$BIN" sweep -c sweep.yaml -t $TRACE -o local --no-plots >/dev/null 2>&1 && ok || bad "local sweep"
"$BIN" sweep -c sweep.yaml -t $TRACE -o out --no-plots --slurm $TASKS >"$TD/slurm.txt" 2>&1 &&
    ok || bad "--slurm: $(cat "$TD/slurm.txt")"
JOB=$(sbatch --parsable "$TD/out.spattn-sweep-work/sweep.sbatch" 2>"$TD/sbatch.err")
[ -n "$JOB" ] && ok || { bad "sbatch: $(cat "$TD/sbatch.err")"; exit 1; }
done=0
for _ in $(seq 1 600); do
    if [ -z "$(squeue -h -j "$JOB" 2>/dev/null)" ]; then done=1; break; fi
    sleep 0.2
done
[ $done = 1 ] && ok || bad "array job $JOB still queued after 120 s: $(squeue 2>&1)"
n=$(ls "$TD/out.spattn-sweep-work" | grep -c '^journal-shard-.*-of-'"$TASKS"'$')
[ "$n" = $TASKS ] && ok || bad "$n shard journals, want $TASKS: $(cat "$TD"/out.spattn-sweep-work/slurm-*.out 2>/dev/null)"
"$BIN" sweep -c sweep.yaml -t $TRACE -o out --no-plots --collect >"$TD/collect.txt" 2>&1 &&
    ok || bad "--collect: $(cat "$TD/collect.txt")"
for f in sweep.csv sweep.json; do
    cmp -s "$TD/local/$f" "$TD/out/$f" && ok || bad "$f of the Slurm run differs from the local run's"
done
[ -e "$TD/out.spattn-sweep-work" ] && bad "work directory left after --collect" || ok
echo "test_sweep_slurm: $checks checks, $fails failed (job $JOB, $TASKS tasks)"
[ $fails -eq 0 ]
