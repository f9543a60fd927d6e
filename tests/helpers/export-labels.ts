import type { OrderExportLabels } from "@/lib/admin/export";

/** Fixed texts for an orders export outside Next (no request, no translations). */
export const orderLabels: OrderExportLabels = {
  headers: {
    orderNo: "订单号",
    createdAt: "下单时间",
    paidAt: "支付时间",
    channel: "渠道",
    status: "状态",
    statusCode: "状态代码",
    product: "商品",
    buyer: "买家",
    amount: "金额（元）",
    providerTradeNo: "交易号",
    period: "期数",
    note: "备注",
  },
  channel: (order) => `${order.provider}/${order.kind}`,
  status: (status) => `label:${status}`,
  productName: (row) => row.productNameZh,
};
