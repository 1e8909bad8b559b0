/**
 * The fixed part of a C reproducer: includes, the uapi definitions newer
 * than the build machine's kernel headers (guarded, with v6.19's values),
 * the synchronisation block shared by threads and forked processes, the
 * SIGBUS/SIGSEGV handler with sigsetjmp, the user accesses, the vfio/iommufd
 * helpers and the outcome checks.
 */
import { vfio_region_info, VFIO_DEVICE_FEATURE_DMA_BUF, VFIO_DEVICE_BIND_IOMMUFD, VFIO_DEVICE_ATTACH_IOMMUFD_PT, VFIO_PCI_OFFSET_SHIFT } from '../../uapi/vfio.js';
import { IOMMU_IOAS_ALLOC, IOMMUFD_CMD_BASE } from '../../uapi/iommufd.js';
import { DMA_BUF_IOCTL_EXPORT_SYNC_FILE, DMA_BUF_IOCTL_IMPORT_SYNC_FILE } from '../../uapi/dma-buf.js';

const h = (n: number): string => `0x${n.toString(16)}`;

/** Everything before the generated variables and thread functions. */
export function prelude(): string {
  return `#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <linux/types.h>
#include <linux/vfio.h>
#include <linux/dma-buf.h>

/* ---- uapi newer than these headers: v6.19 values (include/uapi/linux/vfio.h, iommufd.h, dma-buf.h) ---- */
#ifndef VFIO_DEVICE_BIND_IOMMUFD
struct vfio_device_bind_iommufd {
	__u32 argsz;
	__u32 flags;
	__s32 iommufd;
	__u32 out_devid;
	__aligned_u64 token_uuid_ptr;
};
#define VFIO_DEVICE_BIND_IOMMUFD ${h(VFIO_DEVICE_BIND_IOMMUFD)} /* _IO(VFIO_TYPE, VFIO_BASE + 18) */
#endif
#ifndef VFIO_DEVICE_ATTACH_IOMMUFD_PT
struct vfio_device_attach_iommufd_pt {
	__u32 argsz;
	__u32 flags;
	__u32 pt_id;
	__u32 pasid;
};
#define VFIO_DEVICE_ATTACH_IOMMUFD_PT ${h(VFIO_DEVICE_ATTACH_IOMMUFD_PT)} /* _IO(VFIO_TYPE, VFIO_BASE + 19) */
#endif
#ifndef VFIO_DEVICE_FEATURE_DMA_BUF
#define VFIO_DEVICE_FEATURE_DMA_BUF ${VFIO_DEVICE_FEATURE_DMA_BUF}
struct vfio_region_dma_range {
	__u64 offset;
	__u64 length;
};
struct vfio_device_feature_dma_buf {
	__u32 region_index;
	__u32 open_flags;
	__u32 flags;
	__u32 nr_ranges;
	struct vfio_region_dma_range dma_ranges[];
};
#endif
#if defined(__has_include)
#if __has_include(<linux/iommufd.h>)
#include <linux/iommufd.h>
#endif
#endif
#ifndef IOMMUFD_TYPE
#define IOMMUFD_TYPE (';')
struct iommu_ioas_alloc {
	__u32 size;
	__u32 flags;
	__u32 out_ioas_id;
};
#define IOMMU_IOAS_ALLOC ${h(IOMMU_IOAS_ALLOC)} /* _IO(IOMMUFD_TYPE, ${h(IOMMUFD_CMD_BASE + 1)}) */
#endif
#ifndef DMA_BUF_IOCTL_EXPORT_SYNC_FILE
#define DMA_BUF_IOCTL_EXPORT_SYNC_FILE ${h(DMA_BUF_IOCTL_EXPORT_SYNC_FILE)}
#define DMA_BUF_IOCTL_IMPORT_SYNC_FILE ${h(DMA_BUF_IOCTL_IMPORT_SYNC_FILE)}
#endif
#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif
#ifndef MAP_SHARED_VALIDATE
#define MAP_SHARED_VALIDATE 0x03
#endif

/* helpers a given reproducer may not use */
#define MAYBE_UNUSED __attribute__((unused))

/* ---- command line ---- */
static const char *dev_path[8] = { DEFAULT_DEVICE, "/dev/vfio/devices/vfio1", "/dev/vfio/devices/vfio2", "/dev/vfio/devices/vfio3",
	"/dev/vfio/devices/vfio4", "/dev/vfio/devices/vfio5", "/dev/vfio/devices/vfio6", "/dev/vfio/devices/vfio7" };
static const char *iommufd_path = "/dev/iommu"; /* "none": do not bind the device to an iommufd */
static const char *odirect_path = "barmap-odirect.bin";
static int bar_override = DEFAULT_BAR;
static unsigned delay_us = 2000;

/* ---- ordering between threads and processes: one shared page ---- */
#define MAX_ACTIONS 256
struct sync_block {
	int started[MAX_ACTIONS];
	int done[MAX_ACTIONS];
	int failures;
};
static struct sync_block *sync_blk;

MAYBE_UNUSED static void wait_flag(int *flag)
{
	while (!__atomic_load_n(flag, __ATOMIC_ACQUIRE))
		usleep(50);
}
MAYBE_UNUSED static void set_flag(int *flag)
{
	__atomic_store_n(flag, 1, __ATOMIC_RELEASE);
}
MAYBE_UNUSED static void wait_started(int i) { wait_flag(&sync_blk->started[i]); }
MAYBE_UNUSED static void wait_done(int i) { wait_flag(&sync_blk->done[i]); }
MAYBE_UNUSED static void mark_started(int i) { set_flag(&sync_blk->started[i]); }
MAYBE_UNUSED static void mark_done(int i) { set_flag(&sync_blk->done[i]); }

/* ---- outcome checks ---- */
MAYBE_UNUSED static void fail(void) { __atomic_add_fetch(&sync_blk->failures, 1, __ATOMIC_RELAXED); }

enum want_kind { WANT_EXACT, WANT_FD, WANT_ADDR, WANT_ANY };

/* A syscall: the model's return value is a number or -errno; C gives -1 and errno. */
MAYBE_UNUSED static void check_ret(const char *what, long long got, int err, long long want, enum want_kind kind, const char *want_text)
{
	int ok;
	if (want < 0)
		ok = got == -1 && err == -want;
	else if (kind == WANT_FD)
		ok = got >= 0;
	else if (kind == WANT_ADDR)
		ok = got != -1;
	else if (kind == WANT_ANY)
		ok = 1;
	else
		ok = got == want;
	if (got == -1)
		printf("%-40s expected %s, saw -1 errno=%d (%s): %s\\n", what, want_text, err, strerror(err), ok ? "as the model predicts" : "MISMATCH");
	else
		printf("%-40s expected %s, saw %lld (0x%llx): %s\\n", what, want_text, got, (unsigned long long)got, ok ? "as the model predicts" : "MISMATCH");
	if (!ok)
		fail();
	fflush(stdout);
}

MAYBE_UNUSED static void check_sig(const char *what, int got, int want)
{
	int ok = got == want;
	printf("%-40s expected %s, saw %s: %s\\n", what, want ? strsignal(want) : "no signal", got ? strsignal(got) : "no signal",
	       ok ? "as the model predicts" : "MISMATCH");
	if (!ok)
		fail();
	fflush(stdout);
}

/* ---- user accesses: an expected SIGBUS is caught with sigsetjmp ---- */
static __thread sigjmp_buf access_jmp;
static __thread volatile sig_atomic_t in_access;

MAYBE_UNUSED static void on_fault(int sig)
{
	if (in_access) {
		in_access = 0;
		siglongjmp(access_jmp, sig);
	}
	signal(sig, SIG_DFL);
	raise(sig);
}

MAYBE_UNUSED static void catch_faults(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_fault;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGBUS, &sa, NULL);
	sigaction(SIGSEGV, &sa, NULL);
}

/* A CPU load of size bytes; returns the signal taken (0: none) and the value in *val. */
MAYBE_UNUSED static int user_load(uint64_t addr, int size, uint64_t *val)
{
	int sig = sigsetjmp(access_jmp, 1);
	if (sig)
		return sig;
	in_access = 1;
	switch (size) {
	case 1: *val = *(volatile uint8_t *)(uintptr_t)addr; break;
	case 2: *val = *(volatile uint16_t *)(uintptr_t)addr; break;
	case 8: *val = *(volatile uint64_t *)(uintptr_t)addr; break;
	default: *val = *(volatile uint32_t *)(uintptr_t)addr; break;
	}
	in_access = 0;
	return 0;
}

MAYBE_UNUSED static int user_store(uint64_t addr, int size, uint64_t v)
{
	int sig = sigsetjmp(access_jmp, 1);
	if (sig)
		return sig;
	in_access = 1;
	switch (size) {
	case 1: *(volatile uint8_t *)(uintptr_t)addr = (uint8_t)v; break;
	case 2: *(volatile uint16_t *)(uintptr_t)addr = (uint16_t)v; break;
	case 8: *(volatile uint64_t *)(uintptr_t)addr = v; break;
	default: *(volatile uint32_t *)(uintptr_t)addr = (uint32_t)v; break;
	}
	in_access = 0;
	return 0;
}

/* ---- vfio ---- */
/* The file offset of a region: VFIO_DEVICE_GET_REGION_INFO's offset (vfio-pci puts index << ${VFIO_PCI_OFFSET_SHIFT} there). */
MAYBE_UNUSED static uint64_t reg_off(int fd, int index)
{
	struct vfio_region_info ri;
	if (bar_override >= 0 && index >= 0 && index < 6 && index == TRACE_BAR)
		index = bar_override;
	memset(&ri, 0, sizeof(ri));
	ri.argsz = sizeof(ri); /* ${vfio_region_info.size} bytes */
	ri.index = index;
	if (ioctl(fd, VFIO_DEVICE_GET_REGION_INFO, &ri) < 0) {
		fprintf(stderr, "VFIO_DEVICE_GET_REGION_INFO index %d: %s; using index << ${VFIO_PCI_OFFSET_SHIFT}\\n", index, strerror(errno));
		return (uint64_t)index << ${VFIO_PCI_OFFSET_SHIFT};
	}
	return ri.offset;
}

/*
 * The model opens the vfio cdev already bound to an iommufd. A real cdev
 * needs VFIO_DEVICE_BIND_IOMMUFD (and an attached IOAS for DMA) before its
 * regions can be used: done here unless -i none.
 */
MAYBE_UNUSED static void bind_iommufd(int devfd)
{
	struct vfio_device_bind_iommufd bind;
	struct iommu_ioas_alloc alloc;
	struct vfio_device_attach_iommufd_pt attach;
	int iommufd;
	if (strcmp(iommufd_path, "none") == 0)
		return;
	iommufd = open(iommufd_path, O_RDWR | O_CLOEXEC);
	if (iommufd < 0) {
		fprintf(stderr, "open %s: %s (pass -i none to skip binding)\\n", iommufd_path, strerror(errno));
		return;
	}
	memset(&bind, 0, sizeof(bind));
	bind.argsz = sizeof(bind);
	bind.iommufd = iommufd;
	if (ioctl(devfd, VFIO_DEVICE_BIND_IOMMUFD, &bind) < 0) {
		fprintf(stderr, "VFIO_DEVICE_BIND_IOMMUFD: %s\\n", strerror(errno));
		return;
	}
	memset(&alloc, 0, sizeof(alloc));
	alloc.size = sizeof(alloc);
	if (ioctl(iommufd, IOMMU_IOAS_ALLOC, &alloc) < 0) {
		fprintf(stderr, "IOMMU_IOAS_ALLOC: %s\\n", strerror(errno));
		return;
	}
	memset(&attach, 0, sizeof(attach));
	attach.argsz = sizeof(attach);
	attach.pt_id = alloc.out_ioas_id;
	if (ioctl(devfd, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &attach) < 0)
		fprintf(stderr, "VFIO_DEVICE_ATTACH_IOMMUFD_PT: %s\\n", strerror(errno));
}

MAYBE_UNUSED static int open_device(int index, int flags)
{
	int fd = open(dev_path[index], flags);
	if (fd >= 0)
		bind_iommufd(fd);
	return fd;
}

/* read(2)/write(2) of an O_DIRECT file with the buffer at addr: the block layer pins it with pin_user_pages_fast(). */
MAYBE_UNUSED static long long o_direct_rw(int write_, uint64_t addr, uint64_t len)
{
	long long r;
	int fd = open(odirect_path, O_RDWR | O_CREAT | O_DIRECT | O_CLOEXEC, 0600);
	if (fd < 0) {
		fprintf(stderr, "open %s with O_DIRECT: %s (pass -f a file on a file system that takes O_DIRECT)\\n", odirect_path, strerror(errno));
		return -1;
	}
	if (ftruncate(fd, (off_t)len) < 0)
		fprintf(stderr, "ftruncate %s: %s\\n", odirect_path, strerror(errno));
	r = write_ ? pwrite(fd, (void *)(uintptr_t)addr, len, 0) : pread(fd, (void *)(uintptr_t)addr, len, 0);
	{
		int e = errno;
		close(fd);
		errno = e;
	}
	return r;
}

MAYBE_UNUSED static void usage(const char *argv0)
{
	fprintf(stderr, "usage: %s [-d VFIO_CDEV]... [-b BAR] [-i IOMMUFD|none] [-f ODIRECT_FILE] [-w DELAY_US]\\n", argv0);
	exit(2);
}

MAYBE_UNUSED static void parse_args(int argc, char **argv)
{
	int c, ndev = 0;
	while ((c = getopt(argc, argv, "d:b:i:f:w:h")) != -1) {
		switch (c) {
		case 'd': if (ndev < 8) dev_path[ndev++] = optarg; break;
		case 'b': bar_override = atoi(optarg); break;
		case 'i': iommufd_path = optarg; break;
		case 'f': odirect_path = optarg; break;
		case 'w': delay_us = (unsigned)atoi(optarg); break;
		default: usage(argv[0]);
		}
	}
}
`;
}
