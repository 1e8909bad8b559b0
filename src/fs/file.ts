/**
 * struct file: a reference-counted open file.
 *
 * `f_op` and the address_space are named, not pointed to: `f_op` is the name
 * of a file_operations table in the running design, `f_mapping` the inode
 * whose i_mapping the file maps through.
 */
export interface File {
  readonly id: number;
  /** f_count: references from fd tables, VMAs (vm_file) and the kernel. */
  readonly f_count: number;
  /** Name of the file_operations table in the design. */
  readonly f_op: string;
  /** Inode id (file_inode()). */
  readonly f_inode: number;
  /** Inode id whose i_mapping is f_mapping (the same inode unless a design moves it). */
  readonly f_mapping: number;
  /** Object id in private_data (vfio device, dma-buf, ...), 0 for none. */
  readonly private_data: number;
  /** Open flags kept in f_flags (O_RDWR, O_CLOEXEC is per fd, not here). */
  readonly f_flags: number;
  /** Name for the trace and /proc/<pid>/maps: `vfio-device:0000:01:00.0`. */
  readonly name: string;
  /**
   * A vfio device file's df->access_granted (vfio_main.c): set once
   * vfio_df_open() ran for it; absent on other files.
   */
  readonly access_granted?: boolean;
  /** A vfio device file's df->group: the group file it came from (it holds a reference), absent for a cdev. */
  readonly df_group?: number;
}
