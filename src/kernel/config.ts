/**
 * The kernel's build configuration, as far as it changes a modelled path.
 * A world option of the scenario (`world.config`); constant for a run.
 */

export interface KernelConfig {
  /**
   * CONFIG_DMABUF_MOVE_NOTIFY (drivers/dma-buf/Kconfig): when off,
   * dma_buf_pin_on_map() pins every attachment of an exporter that has
   * ops->pin, dynamic or not (drivers/dma-buf/dma-buf.c, v6.19).
   */
  readonly DMABUF_MOVE_NOTIFY: boolean;
}

/** The configuration the model takes unless a world says otherwise (move-notify on, as the GPU and RDMA importers need). */
export const DEFAULT_CONFIG: KernelConfig = { DMABUF_MOVE_NOTIFY: true };
