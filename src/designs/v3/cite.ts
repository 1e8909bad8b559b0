/**
 * Citations of Matt Evans' "[PATCH v3 0/9] vfio/pci: Add mmap() for DMABUFs"
 * (<20260610154327.37758-1-matt@ozlabs.org>, 10 Jun 2026): patch N/9 is
 * message <20260610154327.37758-(N+1)-matt@ozlabs.org> (git send-email
 * numbering; 8/9's id, -9, is confirmed by the review it got).
 */
export function v3Cite(n: number): string {
  return `v3 ${n}/9, <20260610154327.37758-${n + 1}-matt@ozlabs.org>`;
}
