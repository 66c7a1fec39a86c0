// Package docker is lesson 23 (Docker): virtual machines versus containers, and this project's
// own Dockerfile, compose file and conda environment as the worked example.
//
// Start with Run (the lesson kit's contract: Config, Full, Quick and Size, which are equal here,
// Run and Outcome.Result): it finds the checkout (FindRoot), parses the three files and go.mod
// (Load), and returns an Outcome whose Table lists every check with what it found; Result is
// the lesson's RESULT line (the fraction of checks passed, which must be 1). Project.Outline
// shows the Dockerfile stage by stage.
//
// # Virtual machines and containers
//
// A virtual machine (仮想マシン) emulates a whole computer: a hypervisor shares the hardware
// between guests that each boot their own operating-system kernel. A type 1 (bare-metal)
// hypervisor runs directly on the hardware (Xen, VMware ESXi, Hyper-V, KVM inside Linux); a
// type 2 (hosted) hypervisor is an application on a host operating system (VirtualBox, VMware
// Workstation, QEMU without KVM). Isolation is strong — a guest only sees virtual hardware — but
// each VM carries a full OS: gigabytes of disk, its own memory, a boot of seconds to minutes.
//
// A container (コンテナ) is a group of ordinary processes on the host's kernel, made to look like
// a machine of their own by kernel features: namespaces (their own process ids, mounts, network,
// users, host name) and cgroups (limits on CPU, memory, devices). Its file system is an image:
// read-only layers, one per Dockerfile instruction, plus a thin writable layer. Containers start
// in milliseconds and share one kernel, which is also the security caveat: a kernel bug is a
// way out of every container at once, and root in a container is root on the host's kernel
// unless user namespaces remap it. That is why the checks insist on a final non-root USER, no
// secrets in ENV/ARG (every layer, and `docker history`, keeps them), and Jupyter's token
// authentication left on (a notebook server runs any code for whoever reaches it). Code you do
// not trust belongs in a VM (or a sandboxing runtime such as gVisor or Kata Containers), not in
// a plain container.
//
// # The worked example
//
// The Dockerfile has two stages. "build" starts FROM the official golang image, compiles dl4go,
// GoNB, gopls and goimports, and installs XLA's PJRT CPU plugin with go-xla's installer (`dl4go xla`);
// nothing else of it reaches the image. The final stage
// starts FROM jupyter/docker-stacks' base-notebook (JupyterLab, tini, start-notebook.py, the user
// jovyan), copies the Go toolchain — GoNB compiles every cell — plus the binaries and the plugin,
// copies the repository, pre-fills the module cache so cells build offline, installs the kernel
// as jovyan, and ends as jovyan with EXPOSE 8888, a HEALTHCHECK and docker-stacks' CMD.
// docker-compose.yaml (Compose, 複数コンテナの定義) declares how to run it: the port, a named
// volume for the learner's work, the healthcheck, and a "gpu" profile for the CUDA build.
//
// The checks are static: this lesson needs no Docker engine. ParseDockerfile is a small
// Dockerfile parser (continuation lines, comments, here-documents, JSON and shell forms, flags),
// Resolve expands ARG and ENV variables as `docker build` would, and CheckDockerfile,
// CheckCompose and CheckCondaEnv compare the files with each other and with go.mod. The tests
// mutate the real files (an unpinned FROM, USER root, a baked-in token, ...) and show that each
// check fails when it should.
package docker
