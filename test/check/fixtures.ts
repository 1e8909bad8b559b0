/* Small scenarios with check: sections, shared by the checker tests. */

/** GUP-fast through a PMD leaf without the special bit: breaks gup-fast-agrees-with-gup on x86_64-pte-special-only. */
export const GUP_FAST = `name: load+o_direct
description: a fault then an O_DIRECT read on one thread
world:
  arch: x86_64-pte-special-only
  devices:
    - name: gpu0
      bdf: "0000:01:00.0"
      structPages: true
      bars:
        - { index: 0, size: 2M, base: 0x4000000000 }
  processes:
    - name: P
      threads: [A]
steps:
  - thread: A
    open: { device: gpu0 }
    as: fd
  - thread: A
    mmap: { addr: 0x7e0000000000, length: 2M, prot: [PROT_READ, PROT_WRITE], flags: [MAP_SHARED], fd: $fd, offset: "region(0)" }
    as: bar0
check:
  alphabet:
    A:
      - load: { addr: $bar0 }
      - o_direct: { rw: read, addr: $bar0, length: 4K }
  maxActions: 2
  preemptions: 0
  invariants: [gup-fast-agrees-with-gup, no-access-to-disabled-bar]
`;

/** The transitions of its shortest violation: the load's fault to a PMD leaf, then o_direct up to GUP-fast. */
export const GUP_FAST_SHORTEST = 19;

/** An alphabet whose second entry reads the variable the first one binds. */
export const AS_BINDING = `name: open+mmap
description: open in the setup, mmap and access during exploration
world:
  devices:
    - name: gpu0
      bdf: "0000:01:00.0"
      bars:
        - { index: 0, size: 16K, base: 0xf0000000, is64: false }
  processes:
    - name: P
      threads: [A]
steps:
  - thread: A
    open: { device: gpu0 }
    as: fd
check:
  alphabet:
    A:
      - mmap: { length: 16K, prot: [PROT_READ], flags: [MAP_SHARED], fd: $fd, offset: "region(0)" }
        as: m
      - load: { addr: $m }
  maxActions: 2
  preemptions: 0
`;
