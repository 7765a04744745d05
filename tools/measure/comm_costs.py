#!/usr/bin/env python3
"""Measures, per rank, the GPU memory that an SGLang launch pays outside the weights and KV pool.

Not used at run time by sglang-preflight; it produces the measured constants the memory model
cites (docs/memory-model.md §3.1, §3.2). Needs Python 3, PyTorch with CUDA and NCCL, and
nvidia-ml-py (the `pynvml` module). No SGLang.

Each phase below is bracketed by two NVML readings of the rank's own GPU (device memory used),
taken after a device synchronisation and a barrier of all ranks over a gloo (CPU) group, so that
no NCCL communicator is created for the bookkeeping itself. The phases follow SGLang's launch order:

  context          the CUDA primary context (torch.cuda.set_device + a synchronize, no tensor)
  tp_group         the first NCCL communicator: a new NCCL group over the TP ranks and a
                   1-element warm-up all-reduce, as SGLang's pynccl communicator does at start
  custom_allreduce SGLang's custom all-reduce buffers, re-enacted without SGLang's kernels: two
                   cudaMalloc'd IPC buffers (8 MiB + signal area, 8 MiB), a torch rank-data
                   tensor of 8 MiB, handles exchanged over gloo and every peer's buffers opened
                   (world size > 1 only; at 1 rank SGLang creates none)
  default_group    the communicator of the default (world) group, created by its first
                   collective (a MIN all-reduce, as SGLang up to 0.4.6.post3 did for free memory)
  further_group    one more NCCL group over the same ranks and its first all-reduce: what a PP
                   group, or the torch-side TP group's first eager collective, costs on top
  graph_capture    eager warm-up and CUDA-graph capture of the decode step of a synthetic
                   Llama-shaped model (column/row-parallel linears, vocab-parallel embedding, an
                   all-reduce after attention and after the MLP, an all-gather of the logits),
                   one graph per batch size, all in one memory pool, largest batch first

Launch with its own spawn (one process per GPU):
    python3 comm_costs.py --nprocs 2 --out-dir results/
or with torchrun:
    torchrun --standalone --nproc-per-node 2 comm_costs.py --out-dir results/

NVLink multicast (NVLS) stays off: the script sets NCCL_NVLS_ENABLE=0,
TORCH_SYMM_MEM_DISABLE_MULTICAST=1 and NVSHMEM_DISABLE_NVLS=1 and refuses other values.
Written for sglang-preflight.
"""

import argparse
import ctypes
import datetime
import json
import math
import os
import platform
import socket
import subprocess
import sys
import time

MIB = 1 << 20

# Multicast can take a shared host's GPUs out of service: it is off, whatever the caller's env.
FORCED_ENV = {
    "NCCL_NVLS_ENABLE": "0",
    "TORCH_SYMM_MEM_DISABLE_MULTICAST": "1",
    "NVSHMEM_DISABLE_NVLS": "1",
}

# What SGLang's launcher puts in the environment before it starts its workers
# (engine._set_envs_and_config, with --enable-symm-mem off). --env plain leaves these unset.
SGLANG_ENV = {
    "NCCL_CUMEM_ENABLE": "0",
    "CUDA_DEVICE_MAX_CONNECTIONS": "4",
    "CUDA_MODULE_LOADING": "AUTO",
}

ENV_PREFIXES = ("NCCL_", "TORCH_NCCL", "TORCH_SYMM", "NVSHMEM_", "CUDA_", "PYTORCH_CUDA")

# SGLang's classic decode batch sizes up to 256: 1, 2, 4, then 8 to 256 in steps of 8 (35 sizes).
DEFAULT_BATCH_SIZES = [1, 2, 4] + list(range(8, 257, 8))


def set_environment(mode):
    for key, value in FORCED_ENV.items():
        if os.environ.get(key, value) != value:
            sys.exit(f"comm_costs: {key}={os.environ[key]} is refused; NVLink multicast stays off")
        os.environ[key] = value
    if mode == "sglang":
        for key, value in SGLANG_ENV.items():
            os.environ.setdefault(key, value)
    # CUDA ordinals in NVML's (PCI bus) order, so that cuda:n and NVML index n are one GPU.
    os.environ.setdefault("CUDA_DEVICE_ORDER", "PCI_BUS_ID")


def relevant_env():
    return {k: v for k, v in sorted(os.environ.items()) if k.startswith(ENV_PREFIXES)}


def run_text(cmd):
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
        return (done.stdout + done.stderr).strip()
    except (OSError, subprocess.SubprocessError) as e:
        return f"<{' '.join(cmd)} failed: {e}>"


def nvidia_smi_snapshot():
    return {
        "compute_apps": run_text(["nvidia-smi", "--query-compute-apps=pid,process_name,gpu_uuid,used_gpu_memory",
                                  "--format=csv"]),
        "gpus": run_text(["nvidia-smi", "--query-gpu=index,name,uuid,memory.total,memory.used,memory.free",
                          "--format=csv"]),
    }


def mib(n_bytes):
    return None if n_bytes is None else round(n_bytes / MIB, 1)


# ---------------------------------------------------------------------------------------------
# NVML


class Nvml:
    """The few NVML calls the measurement needs; pynvml is nvidia-ml-py's module."""

    def __init__(self):
        import pynvml
        self.nv = pynvml
        pynvml.nvmlInit()

    @staticmethod
    def _text(value):
        return value.decode() if isinstance(value, bytes) else value

    def handle_for_local_rank(self, local_rank):
        """The NVML handle of the GPU that cuda:local_rank will be, read before CUDA starts."""
        visible = os.environ.get("CUDA_VISIBLE_DEVICES")
        if visible is None or visible.strip() == "":
            if visible is not None:
                raise RuntimeError("CUDA_VISIBLE_DEVICES is empty: no GPU is visible")
            return self.nv.nvmlDeviceGetHandleByIndex(local_rank)
        entry = [e.strip() for e in visible.split(",") if e.strip()][local_rank]
        if entry.isdigit():
            return self.nv.nvmlDeviceGetHandleByIndex(int(entry))
        if not entry.startswith("GPU-"):
            raise RuntimeError(f"CUDA_VISIBLE_DEVICES entry {entry!r} is neither an index nor a GPU UUID")
        count = self.nv.nvmlDeviceGetCount()
        for i in range(count):  # an entry may be a UUID prefix
            h = self.nv.nvmlDeviceGetHandleByIndex(i)
            if self._text(self.nv.nvmlDeviceGetUUID(h)).startswith(entry):
                return h
        raise RuntimeError(f"no GPU matches CUDA_VISIBLE_DEVICES entry {entry!r}")

    def used_free(self, h):
        m = self.nv.nvmlDeviceGetMemoryInfo(h)
        return m.used, m.free

    def memory_v2(self, h):
        try:
            m = self.nv.nvmlDeviceGetMemoryInfo(h, version=self.nv.nvmlMemory_v2)
            return {"total": m.total, "reserved": m.reserved, "used": m.used, "free": m.free}
        except Exception as e:  # older drivers or bindings
            return {"error": str(e)}

    def versions(self):
        out = {}
        try:
            out["driver"] = self._text(self.nv.nvmlSystemGetDriverVersion())
        except Exception as e:
            out["driver"] = f"<{e}>"
        try:
            v = self.nv.nvmlSystemGetCudaDriverVersion_v2()
            out["cuda_driver_api"] = f"{v // 1000}.{(v % 1000) // 10}"
        except Exception as e:
            out["cuda_driver_api"] = f"<{e}>"
        try:
            from importlib.metadata import version
            out["nvidia_ml_py"] = version("nvidia-ml-py")
        except Exception:
            out["nvidia_ml_py"] = None
        return out

    def gpu_facts(self, h):
        nv = self.nv
        facts = {
            "index": nv.nvmlDeviceGetIndex(h),
            "name": self._text(nv.nvmlDeviceGetName(h)),
            "uuid": self._text(nv.nvmlDeviceGetUUID(h)),
            "pci_bus_id": self._text(nv.nvmlDeviceGetPciInfo(h).busId),
            "memory_total_mib": mib(nv.nvmlDeviceGetMemoryInfo(h).total),
            "memory_v2_bytes_at_start": self.memory_v2(h),
        }
        links = []
        max_links = getattr(nv, "NVML_NVLINK_MAX_LINKS", 18)
        for link in range(max_links):
            try:
                state = nv.nvmlDeviceGetNvLinkState(h, link)
            except nv.NVMLError as e:
                if links or link == 0:
                    links.append({"link": link, "state": f"<{e}>"})
                break
            entry = {"link": link, "state": "active" if state == nv.NVML_FEATURE_ENABLED else "inactive"}
            try:
                entry["version"] = nv.nvmlDeviceGetNvLinkVersion(h, link)
            except nv.NVMLError:
                pass
            try:
                getter = getattr(nv, "nvmlDeviceGetNvLinkRemotePciInfo_v2", None) or \
                    nv.nvmlDeviceGetNvLinkRemotePciInfo
                entry["remote_pci_bus_id"] = self._text(getter(h, link).busId)
            except (nv.NVMLError, AttributeError):
                pass
            links.append(entry)
        active = [x for x in links if x["state"] == "active"]
        facts["nvlink"] = {
            "links_active": len(active),
            "links_reported": len([x for x in links if x["state"] in ("active", "inactive")]),
            "links": links,
        }
        return facts

    def p2p_matrix(self, handles):
        """NVML's peer-to-peer status between every pair, over NVLink and for plain reads."""
        nv = self.nv
        kinds = {"nvlink": getattr(nv, "NVML_P2P_CAPS_INDEX_NVLINK", None),
                 "read": getattr(nv, "NVML_P2P_CAPS_INDEX_READ", None)}
        names = {getattr(nv, "NVML_P2P_STATUS_OK", 0): "OK"}
        out = {}
        for kind, index in kinds.items():
            if index is None:
                continue
            rows = []
            for a in handles:
                row = []
                for b in handles:
                    if a is b:
                        row.append("X")
                        continue
                    try:
                        s = nv.nvmlDeviceGetP2PStatus(a, b, index)
                        row.append(names.get(s, f"status {s}"))
                    except nv.NVMLError as e:
                        row.append(f"<{e}>")
                rows.append(row)
            out[kind] = rows
        return out

    def compute_processes(self, h):
        try:
            return [{"pid": p.pid, "used_mib": mib(p.usedGpuMemory)}
                    for p in self.nv.nvmlDeviceGetComputeRunningProcesses(h)]
        except Exception as e:
            return f"<{e}>"


# ---------------------------------------------------------------------------------------------
# CUDA driver API for the IPC buffers of the custom all-reduce (through ctypes, no extension)


class IpcHandle(ctypes.Structure):
    _fields_ = [("reserved", ctypes.c_char * 64)]


class CudaDriver:
    CU_IPC_MEM_LAZY_ENABLE_PEER_ACCESS = 1

    def __init__(self):
        self.lib = ctypes.CDLL("libcuda.so.1")
        u64 = ctypes.c_uint64
        self.lib.cuMemAlloc_v2.argtypes = [ctypes.POINTER(u64), ctypes.c_size_t]
        self.lib.cuMemFree_v2.argtypes = [u64]
        self.lib.cuIpcGetMemHandle.argtypes = [ctypes.POINTER(IpcHandle), u64]
        self.open_fn = getattr(self.lib, "cuIpcOpenMemHandle_v2", None) or self.lib.cuIpcOpenMemHandle
        self.open_fn.argtypes = [ctypes.POINTER(u64), IpcHandle, ctypes.c_uint]
        self.lib.cuIpcCloseMemHandle.argtypes = [u64]
        self.lib.cuGetErrorString.argtypes = [ctypes.c_int, ctypes.POINTER(ctypes.c_char_p)]

    def _check(self, code, what):
        if code != 0:
            msg = ctypes.c_char_p()
            self.lib.cuGetErrorString(code, ctypes.byref(msg))
            raise RuntimeError(f"{what} failed: CUDA error {code} ({(msg.value or b'?').decode()})")

    def alloc(self, size):
        ptr = ctypes.c_uint64()
        self._check(self.lib.cuMemAlloc_v2(ctypes.byref(ptr), size), "cuMemAlloc")
        return ptr.value

    def free(self, ptr):
        self._check(self.lib.cuMemFree_v2(ptr), "cuMemFree")

    def ipc_handle(self, ptr):
        h = IpcHandle()
        self._check(self.lib.cuIpcGetMemHandle(ctypes.byref(h), ptr), "cuIpcGetMemHandle")
        return bytes(h)

    def ipc_open(self, handle_bytes):
        ptr = ctypes.c_uint64()
        h = IpcHandle.from_buffer_copy(handle_bytes)
        self._check(self.open_fn(ctypes.byref(ptr), h, self.CU_IPC_MEM_LAZY_ENABLE_PEER_ACCESS),
                    "cuIpcOpenMemHandle")
        return ptr.value

    def ipc_close(self, ptr):
        self._check(self.lib.cuIpcCloseMemHandle(ptr), "cuIpcCloseMemHandle")


# ---------------------------------------------------------------------------------------------
# The synthetic model: a Llama-shaped decoder, tensor-parallel, plain torch


class SyntheticLlama:
    """Decode step of a Llama-shaped model under tensor parallelism, in plain torch.

    qkv and gate_up are column-parallel, o and down row-parallel (an all-reduce after each), the
    embedding vocab-parallel (an all-reduce), the LM head column-parallel (an all-gather).
    Attention reads a fixed-length KV cache per request; the new token's K and V are written at
    the request's position first. Weights are random (not zeros).
    """

    def __init__(self, args, tp_size, tp_rank, group, device, max_bs):
        import torch
        self.torch = torch
        self.F = torch.nn.functional
        H, nh, nkv, inter, vocab = args.hidden, args.heads, args.kv_heads, args.intermediate, args.vocab
        if H % nh or nh % tp_size or inter % tp_size or vocab % tp_size:
            raise ValueError("hidden/heads, heads, intermediate and vocab must divide by TP")
        if nkv % tp_size and tp_size % nkv:
            raise ValueError("kv heads must divide TP or be divisible by it")
        self.tp, self.rank, self.group, self.dev = tp_size, tp_rank, group, device
        self.hd = H // nh
        self.nh_l = nh // tp_size
        self.nkv_l = max(1, nkv // tp_size)  # KV heads are replicated when TP exceeds them
        self.groups = self.nh_l // self.nkv_l
        self.vocab_l = vocab // tp_size
        self.vocab = vocab
        self.ctx = args.context
        bf16 = torch.bfloat16

        def weight(*shape):
            return torch.randn(*shape, device=device, dtype=bf16).mul_(0.02)

        self.embed = weight(self.vocab_l, H)
        self.layers = []
        for _ in range(args.layers):
            self.layers.append({
                "ln1": torch.ones(H, device=device, dtype=bf16),
                "qkv": weight((self.nh_l + 2 * self.nkv_l) * self.hd, H),
                "o": weight(H, self.nh_l * self.hd),
                "ln2": torch.ones(H, device=device, dtype=bf16),
                "gate_up": weight(2 * inter // tp_size, H),
                "down": weight(H, inter // tp_size),
                "k_cache": weight(max_bs, self.nkv_l, self.ctx, self.hd),
                "v_cache": weight(max_bs, self.nkv_l, self.ctx, self.hd),
            })
        self.norm = torch.ones(H, device=device, dtype=bf16)
        self.lm_head = weight(self.vocab_l, H)
        inv_freq = 1.0 / (10000.0 ** (torch.arange(0, self.hd, 2, device=device, dtype=torch.float32) / self.hd))
        freqs = torch.outer(torch.arange(self.ctx, device=device, dtype=torch.float32), inv_freq)
        self.cos, self.sin = freqs.cos(), freqs.sin()
        # Static inputs and outputs that the graphs read and write.
        self.ids = torch.zeros(max_bs, dtype=torch.long, device=device)
        self.pos = torch.zeros(max_bs, dtype=torch.long, device=device)
        self.bidx = torch.arange(max_bs, dtype=torch.long, device=device)
        self.out = torch.empty(max_bs, vocab, dtype=torch.float32, device=device)

    def all_reduce(self, x):
        if self.tp > 1:
            self.torch.distributed.all_reduce(x, group=self.group)
        return x

    @staticmethod
    def rms_norm(x, w):
        xf = x.float()
        xf = xf * (xf.pow(2).mean(-1, keepdim=True) + 1e-6).rsqrt()
        return xf.to(x.dtype) * w

    def rope(self, x, pos):
        half = self.hd // 2
        c, s = self.cos[pos].unsqueeze(1), self.sin[pos].unsqueeze(1)
        x1, x2 = x[..., :half].float(), x[..., half:].float()
        return self.torch.cat((x1 * c - x2 * s, x2 * c + x1 * s), dim=-1).to(x.dtype)

    def attention(self, layer, x, bs, pos):
        torch, hd = self.torch, self.hd
        qkv = self.F.linear(x, layer["qkv"])
        q, k, v = qkv.split([self.nh_l * hd, self.nkv_l * hd, self.nkv_l * hd], dim=-1)
        q = self.rope(q.reshape(bs, self.nh_l, hd), pos)
        k = self.rope(k.reshape(bs, self.nkv_l, hd), pos)
        kc, vc = layer["k_cache"], layer["v_cache"]
        kc[self.bidx[:bs], :, pos] = k
        vc[self.bidx[:bs], :, pos] = v.reshape(bs, self.nkv_l, hd)
        kv_rows = bs * self.nkv_l
        qg = q.reshape(kv_rows, self.groups, hd)
        scores = torch.bmm(qg, kc[:bs].reshape(kv_rows, self.ctx, hd).transpose(1, 2))
        probs = (scores.float() * (1.0 / math.sqrt(hd))).softmax(dim=-1).to(q.dtype)
        attn = torch.bmm(probs, vc[:bs].reshape(kv_rows, self.ctx, hd))
        return self.all_reduce(self.F.linear(attn.reshape(bs, self.nh_l * hd), layer["o"]))

    def mlp(self, layer, x):
        gate, up = self.F.linear(x, layer["gate_up"]).chunk(2, dim=-1)
        return self.all_reduce(self.F.linear(self.F.silu(gate) * up, layer["down"]))

    def forward(self, bs):
        torch = self.torch
        ids, pos = self.ids[:bs], self.pos[:bs]
        local = ids - self.rank * self.vocab_l
        outside = (local < 0) | (local >= self.vocab_l)
        h = self.F.embedding(local.masked_fill(outside, 0), self.embed)
        h = self.all_reduce(h.masked_fill(outside.unsqueeze(-1), 0))
        for layer in self.layers:
            h = h + self.attention(layer, self.rms_norm(h, layer["ln1"]), bs, pos)
            h = h + self.mlp(layer, self.rms_norm(h, layer["ln2"]))
        logits = self.F.linear(self.rms_norm(h, self.norm), self.lm_head)
        if self.tp > 1:
            gathered = torch.empty(self.tp * bs, self.vocab_l, dtype=logits.dtype, device=self.dev)
            torch.distributed.all_gather_into_tensor(gathered, logits.contiguous(), group=self.group)
            logits = gathered.view(self.tp, bs, self.vocab_l).permute(1, 0, 2).reshape(bs, self.vocab)
        return logits.float()

    def static_bytes(self):
        t = [self.embed, self.norm, self.lm_head, self.cos, self.sin, self.ids, self.pos, self.bidx, self.out]
        t += [w for layer in self.layers for w in layer.values()]
        return sum(x.numel() * x.element_size() for x in t)


# ---------------------------------------------------------------------------------------------
# One rank


class Rank:
    def __init__(self, args, rank, local_rank, world):
        self.args, self.rank, self.local_rank, self.world = args, rank, local_rank, world
        self.nvml = Nvml()
        self.handle = self.nvml.handle_for_local_rank(local_rank)
        self.torch = None
        self.cuda_ready = False
        self.gloo = None
        self.phases = []
        self.notes = []

    def reading(self):
        torch = self.torch
        if self.cuda_ready:
            torch.cuda.synchronize()
        time.sleep(self.args.settle)
        used, free = self.nvml.used_free(self.handle)
        reserved = torch.cuda.memory_reserved() if self.cuda_ready else 0
        return {"nvml_used": used, "nvml_free": free, "torch_reserved": reserved}

    def barrier(self):
        if self.gloo is not None:
            self.torch.distributed.barrier(group=self.gloo)

    def phase(self, name, action, optional=False):
        """Runs action between two readings; returns the NVML delta in MiB.

        An optional phase that fails is recorded with its error and yields None, so that the
        phases before it still reach the JSON."""
        self.barrier()
        before = self.reading()
        t0 = time.time()
        try:
            extra = action() or {}
        except Exception as e:
            if not optional:
                raise
            extra = {"error": f"{type(e).__name__}: {e}"}
            self.notes.append(f"{name} failed: {extra['error']}")
            print(f"[rank {self.rank}] {name} FAILED: {extra['error']}", flush=True)
        seconds = time.time() - t0
        after = self.reading()
        self.barrier()
        delta = after["nvml_used"] - before["nvml_used"]
        torch_delta = after["torch_reserved"] - before["torch_reserved"]
        entry = {
            "phase": name,
            "nvml_used_before_mib": mib(before["nvml_used"]),
            "nvml_used_after_mib": mib(after["nvml_used"]),
            "nvml_delta_mib": mib(delta),
            "torch_reserved_delta_mib": mib(torch_delta),
            "outside_torch_allocator_mib": mib(delta - torch_delta),
            "seconds": round(seconds, 3),
        }
        entry.update(extra)
        self.phases.append(entry)
        if "error" in extra:
            return None
        print(f"[rank {self.rank}] {name}: {entry['nvml_delta_mib']} MiB "
              f"(torch allocator {entry['torch_reserved_delta_mib']} MiB, {seconds:.2f} s)", flush=True)
        return entry["nvml_delta_mib"]

    # --- the phases -------------------------------------------------------------------------

    def init_process_groups(self):
        import torch
        import torch.distributed as dist
        self.torch = torch
        timeout = datetime.timedelta(seconds=self.args.timeout)
        # No device_id: the NCCL communicator of the world group is created lazily, as in SGLang.
        dist.init_process_group(backend="nccl", world_size=self.world, rank=self.rank, timeout=timeout)
        self.gloo = dist.new_group(list(range(self.world)), backend="gloo", timeout=timeout)

    def make_context(self):
        torch = self.torch
        torch.cuda.set_device(self.local_rank)
        torch.cuda.synchronize()
        self.cuda_ready = True
        self.device = torch.device("cuda", self.local_rank)
        props = torch.cuda.get_device_properties(self.device)
        nvml_uuid = self.nvml._text(self.nvml.nv.nvmlDeviceGetUUID(self.handle))

        def hex_digits(text):
            return "".join(c for c in text.lower().replace("gpu-", "") if c in "0123456789abcdef")

        torch_uuid = hex_digits(str(getattr(props, "uuid", "")))
        if len(torch_uuid) == 32 and torch_uuid != hex_digits(nvml_uuid):
            self.notes.append(f"torch's cuda:{self.local_rank} has uuid {props.uuid}, NVML's GPU {nvml_uuid}: "
                              "the readings may be of another GPU")

    def tp_group(self):
        torch, dist = self.torch, self.torch.distributed
        self.tp = dist.new_group(list(range(self.world)), backend="nccl")
        dist.all_reduce(self.one, group=self.tp)

    def custom_allreduce(self):
        """SGLang's custom all-reduce buffers and IPC mappings, without its kernels."""
        torch, dist = self.torch, self.torch.distributed
        drv = CudaDriver()
        max_size = self.args.car_max_size_mib * MIB
        signal = self.args.car_signal_bytes
        self.car = {"drv": drv, "own": [], "opened": []}
        info = {}
        for name, size in (("meta", signal + max_size), ("buffer", max_size)):
            ptr = drv.alloc(size)
            self.car["own"].append(ptr)
            handles = [None] * self.world
            dist.all_gather_object(handles, drv.ipc_handle(ptr), group=self.gloo)
            for peer, h in enumerate(handles):
                if peer != self.rank:
                    self.car["opened"].append(drv.ipc_open(h))
            info[f"{name}_bytes"] = size
        self.car["rank_data"] = torch.empty(max_size, dtype=torch.uint8, device=self.device)
        info["rank_data_bytes"] = max_size
        info["peer_mappings_opened"] = len(self.car["opened"])
        return {"buffers": info}

    def custom_allreduce_local_only(self):
        """At one rank: the local allocations and handles alone (there is no peer to open)."""
        info = self.custom_allreduce()
        info["note"] = "world size 1: no peer buffers opened; SGLang creates no custom all-reduce here"
        return info

    def default_group(self):
        dist = self.torch.distributed
        dist.all_reduce(self.one, op=dist.ReduceOp.MIN)

    def further_group(self):
        dist = self.torch.distributed
        self.further = dist.new_group(list(range(self.world)), backend="nccl")
        dist.all_reduce(self.one, group=self.further)

    def build_model(self):
        bss = self.args.batch_sizes
        self.model = SyntheticLlama(self.args, self.world, self.rank, self.tp, self.device, max(bss))
        torch = self.torch
        g = torch.Generator(device=self.device)
        g.manual_seed(1234)  # same token ids and positions on every rank
        self.model.ids.copy_(torch.randint(0, self.args.vocab, self.model.ids.shape, generator=g, device=self.device))
        self.model.pos.copy_(torch.randint(0, self.args.context, self.model.pos.shape, generator=g, device=self.device))
        torch.cuda.empty_cache()  # the capture empties the cache too; start it empty
        return {"static_bytes": self.model.static_bytes()}

    def cublas_init(self):
        """SGLang's init_cublas: one small matmul before the graphs, on the default stream."""
        torch = self.torch
        a = torch.ones(16, 16, dtype=torch.bfloat16, device=self.device)
        (a @ a).sum().item()
        del a
        torch.cuda.empty_cache()

    def graph_capture(self):
        torch, model = self.torch, self.model
        pool = torch.cuda.graph_pool_handle()
        stream = torch.cuda.Stream()
        self.graphs = {}
        per_bs = []
        stream.wait_stream(torch.cuda.current_stream())
        for bs in sorted(self.args.batch_sizes, reverse=True):
            with torch.cuda.stream(stream):
                for _ in range(2):  # warm-up runs, as SGLang does before each capture
                    model.forward(bs)
            stream.synchronize()
            warm = self.nvml.used_free(self.handle)[0]
            graph = torch.cuda.CUDAGraph()
            with torch.cuda.graph(graph, pool=pool, stream=stream):
                logits = model.forward(bs)
                if self.args.per_graph_outputs:
                    out = logits  # each graph keeps its own logits (SGLang up to 0.4.10.post1)
                else:
                    model.out[:bs].copy_(logits)  # one shared output buffer (later SGLang)
                    out = model.out[:bs]
            torch.cuda.synchronize()
            self.graphs[bs] = (graph, out)
            per_bs.append({"bs": bs, "nvml_used_after_warmup_mib": mib(warm),
                           "nvml_used_after_capture_mib": mib(self.nvml.used_free(self.handle)[0])})
        per_graph_out = sum(self.args.batch_sizes) * self.args.vocab * 4 if self.args.per_graph_outputs else 0
        return {"graphs": len(self.graphs), "per_batch_size": per_bs,
                "per_graph_outputs_mib": mib(per_graph_out)}

    def check_replay(self):
        """Replays the smallest and largest graph and compares with an eager forward."""
        torch, model = self.torch, self.model
        result = {}
        for bs in (min(self.graphs), max(self.graphs)):
            graph, out = self.graphs[bs]
            out.fill_(float("nan"))
            graph.replay()
            torch.cuda.synchronize()
            eager = model.forward(bs)
            err = ((out - eager).norm() / eager.norm()).item()
            result[str(bs)] = err
            if not math.isfinite(err) or err > 1e-2:
                self.notes.append(f"graph replay at bs {bs} differs from eager: relative error {err}")
        return result

    # --- driver -----------------------------------------------------------------------------

    def run(self):
        args = self.args
        start = self.reading()  # before this process touches CUDA
        smi_before = nvidia_smi_snapshot() if self.rank == 0 else None
        facts = self.nvml.gpu_facts(self.handle)
        figures = {}
        self.phase("process_group_init (no GPU memory expected)", self.init_process_groups)
        figures["context"] = self.phase("context", self.make_context)
        self.one = self.torch.ones(1, device=self.device)  # the warm-up tensor, outside the phases
        figures["tp_group"] = self.phase("tp_group", self.tp_group)
        if self.world > 1 and not args.no_custom_allreduce:
            figures["custom_allreduce"] = self.phase("custom_allreduce", self.custom_allreduce)
        else:
            figures["custom_allreduce"] = None
            if not args.no_custom_allreduce:
                figures["custom_allreduce_local_buffers_only"] = self.phase(
                    "custom_allreduce_local_buffers_only", self.custom_allreduce_local_only, optional=True)
        figures["default_group"] = self.phase("default_group", self.default_group)
        figures["further_group"] = self.phase("further_group", self.further_group)
        figures["graph_capture"], replay = None, None
        if args.batch_sizes:
            built = self.phase("model_static (weights, KV cache, static buffers; not a comm cost)",
                               self.build_model, optional=True)
            if built is not None:
                self.phase("cublas_init (not a comm cost)", self.cublas_init, optional=True)
                figures["graph_capture"] = self.phase("graph_capture", self.graph_capture, optional=True)
            if figures["graph_capture"] is not None:
                try:
                    replay = self.check_replay()
                except Exception as e:
                    self.notes.append(f"graph replay check failed: {type(e).__name__}: {e}")
        self.barrier()
        end = self.reading()
        smi_after = nvidia_smi_snapshot() if self.rank == 0 else None
        self.barrier()
        torch = self.torch
        result = {
            "rank": self.rank,
            "local_rank": self.local_rank,
            "pid": os.getpid(),
            "gpu": facts,
            "mib": figures,
            "nvml_used_at_start_mib": mib(start["nvml_used"]),
            "nvml_used_at_end_mib": mib(end["nvml_used"]),
            "nvml_used_total_delta_mib": mib(end["nvml_used"] - start["nvml_used"]),
            "cuda_mem_get_info_free_at_end_mib": mib(torch.cuda.mem_get_info()[0]),
            "torch_max_reserved_mib": mib(torch.cuda.max_memory_reserved()),
            "nvml_processes_at_end": self.nvml.compute_processes(self.handle),
            "graph_replay_relative_error": replay,
            "phases": self.phases,
            "notes": self.notes,
        }
        everyone = [None] * self.world
        torch.distributed.all_gather_object(everyone, result, group=self.gloo)
        if self.rank == 0:
            handles = [self.nvml.nv.nvmlDeviceGetHandleByUUID(r["gpu"]["uuid"].encode()) for r in everyone]
            report = self.report(everyone, handles, smi_before, smi_after)
            write_report(args.out_dir, report)
        self.teardown()

    def report(self, ranks, handles, smi_before, smi_after):
        torch = self.torch
        nccl = torch.cuda.nccl.version()
        nccl = ".".join(map(str, nccl)) if isinstance(nccl, tuple) else str(nccl)
        versions = {"python": platform.python_version(), "torch": torch.__version__,
                    "torch_cuda_runtime": torch.version.cuda, "nccl": nccl}
        versions.update(self.nvml.versions())
        gpus = [r["gpu"] for r in ranks]
        links = sorted({g["nvlink"]["links_active"] for g in gpus})
        interconnect = {
            "nvlink_links_active_per_gpu": [g["nvlink"]["links_active"] for g in gpus],
            "summary": (f"{self.world} GPU(s); NVLink links active per GPU: {links}"
                        + ("" if self.world > 1 else "; one rank, so no GPU-to-GPU traffic was measured")),
            "p2p_status": self.nvml.p2p_matrix(handles) if self.world > 1 else None,
            "nvidia_smi_topo": run_text(["nvidia-smi", "topo", "-m"]),
        }
        a = self.args
        return {
            "tool": "sglang-preflight tools/measure/comm_costs.py",
            "schema": 1,
            "written_utc": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
            "command": [sys.executable] + sys.argv,
            "launcher": a.launcher,
            "host": {"hostname": socket.gethostname(), "kernel": platform.release()},
            "world_size": self.world,
            "env_mode": a.env,
            "env": relevant_env(),
            "versions": versions,
            "interconnect": interconnect,
            "model": {"layers": a.layers, "hidden": a.hidden, "heads": a.heads, "kv_heads": a.kv_heads,
                      "intermediate": a.intermediate, "vocab": a.vocab, "context": a.context,
                      "dtype": "bfloat16", "tp": self.world, "batch_sizes": a.batch_sizes,
                      "per_graph_outputs": a.per_graph_outputs},
            "custom_allreduce_emulation": {"max_size_mib": a.car_max_size_mib,
                                           "signal_bytes": a.car_signal_bytes},
            "nvidia_smi": {"before": smi_before, "after": smi_after},
            "ranks": ranks,
        }

    def teardown(self):
        car = getattr(self, "car", None)
        if car:
            for ptr in car["opened"]:
                car["drv"].ipc_close(ptr)
            for ptr in car["own"]:
                car["drv"].free(ptr)
        self.barrier()
        self.torch.distributed.destroy_process_group()


def write_report(out_dir, report):
    os.makedirs(out_dir, exist_ok=True)
    for r in report["ranks"]:
        with open(os.path.join(out_dir, f"comm_costs.rank{r['rank']}.json"), "w") as f:
            json.dump(r, f, indent=2)
    path = os.path.join(out_dir, "comm_costs.json")
    with open(path, "w") as f:
        json.dump(report, f, indent=2)
    v = report["versions"]
    print(f"\n{report['ranks'][0]['gpu']['name']} x{report['world_size']}, driver {v['driver']} "
          f"(CUDA {v['cuda_driver_api']}), torch {v['torch']} (CUDA {v['torch_cuda_runtime']}), NCCL {v['nccl']}, "
          f"env {report['env_mode']}")
    print(report["interconnect"]["summary"])
    keys = ["context", "tp_group", "custom_allreduce", "default_group", "further_group", "graph_capture"]
    print("rank  " + "  ".join(f"{k:>16}" for k in keys) + "   (MiB, NVML used after - before)")
    for r in report["ranks"]:
        cells = ["-" if r["mib"].get(k) is None else f"{r['mib'][k]:.1f}" for k in keys]
        print(f"{r['rank']:>4}  " + "  ".join(f"{c:>16}" for c in cells))
    for r in report["ranks"]:
        for note in r["notes"]:
            print(f"rank {r['rank']}: {note}")
    print(f"written: {path}")


# ---------------------------------------------------------------------------------------------
# Launch


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--nprocs", type=int, default=None,
                   help="ranks to spawn (default: every GPU NVML sees); ignored under torchrun")
    p.add_argument("--out-dir", default="comm-costs-out", help="where the JSON files go")
    p.add_argument("--env", choices=["sglang", "plain"], default="sglang",
                   help="sglang: NCCL_CUMEM_ENABLE=0, CUDA_DEVICE_MAX_CONNECTIONS=4, CUDA_MODULE_LOADING=AUTO "
                        "as SGLang's launcher sets them (unless already set); plain: NCCL's and CUDA's defaults")
    p.add_argument("--batch-sizes", default=",".join(map(str, DEFAULT_BATCH_SIZES)),
                   help="decode batch sizes to capture, comma-separated; empty: no graph capture")
    p.add_argument("--per-graph-outputs", action="store_true",
                   help="each graph keeps its own fp32 logits (SGLang up to 0.4.10.post1) instead of one shared buffer")
    p.add_argument("--layers", type=int, default=2)
    p.add_argument("--hidden", type=int, default=4096)
    p.add_argument("--heads", type=int, default=32)
    p.add_argument("--kv-heads", type=int, default=8)
    p.add_argument("--intermediate", type=int, default=14336)
    p.add_argument("--vocab", type=int, default=32000)
    p.add_argument("--context", type=int, default=1024, help="KV-cache length per request")
    p.add_argument("--no-custom-allreduce", action="store_true", help="skip the custom all-reduce buffers")
    p.add_argument("--car-max-size-mib", type=int, default=8, help="custom all-reduce max size (SGLang: 8 MiB)")
    p.add_argument("--car-signal-bytes", type=int, default=4096,
                   help="size of the custom all-reduce signal area in front of the meta buffer (an estimate)")
    p.add_argument("--settle", type=float, default=0.2, help="seconds to wait before each NVML reading")
    p.add_argument("--timeout", type=int, default=600, help="process-group timeout, seconds")
    args = p.parse_args(argv)
    args.batch_sizes = [int(x) for x in args.batch_sizes.split(",") if x.strip()]
    if any(b < 1 for b in args.batch_sizes):
        p.error("batch sizes must be positive")
    return args


def worker(args, rank, local_rank, world):
    os.environ.update({"RANK": str(rank), "LOCAL_RANK": str(local_rank), "WORLD_SIZE": str(world)})
    Rank(args, rank, local_rank, world).run()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main():
    args = parse_args()
    set_environment(args.env)
    if "RANK" in os.environ and "WORLD_SIZE" in os.environ:  # torchrun
        args.launcher = "torchrun"
        worker(args, int(os.environ["RANK"]), int(os.environ.get("LOCAL_RANK", os.environ["RANK"])),
               int(os.environ["WORLD_SIZE"]))
        return
    import multiprocessing
    args.launcher = "spawn"
    import pynvml
    pynvml.nvmlInit()
    gpus = pynvml.nvmlDeviceGetCount()
    visible = os.environ.get("CUDA_VISIBLE_DEVICES")
    if visible is not None:
        gpus = min(gpus, len([e for e in visible.split(",") if e.strip()]))
    n = gpus if args.nprocs is None else args.nprocs
    if n < 1 or n > gpus:
        sys.exit(f"comm_costs: {n} ranks asked for, {gpus} GPU(s) visible; one rank per GPU")
    os.environ.setdefault("MASTER_ADDR", "127.0.0.1")
    os.environ.setdefault("MASTER_PORT", str(free_port()))
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=worker, args=(args, r, r, n), name=f"rank{r}") for r in range(n)]
    for p in procs:
        p.start()
    for p in procs:
        p.join()
    bad = [(p.name, p.exitcode) for p in procs if p.exitcode != 0]
    if bad:
        sys.exit(f"comm_costs: ranks failed: {bad}")


if __name__ == "__main__":
    main()
