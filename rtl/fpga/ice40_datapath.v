// ice40_datapath.v - the datapath units of spattn_top (qk, softmax with
// exp_lut and recip_div, requant, pv unless Pv = 0, importance unless Imp = 0) in one design for the
// iCE40 place and route (rtl/fpga/ice40_top.sh -s), where the whole top
// does not fit. Not a unit of spattn and never simulated: the units are
// chained stream to stream (qk's logits into softmax, softmax's
// probabilities into pv and importance, its pmax into requant) so that
// their logic and the paths between them are placed together; the top's
// controller, fetcher, K/V buffers, top-k engine and writer are not here,
// and the chain is not the top's schedule (there the controller sits
// between the units). Every other port comes from the pins (wrap_ports.awk).
`include "sp_defs.vh"
module ice40_datapath #(
  parameter integer D    = 4,   // head dimension of the hardware
  parameter integer NQk  = 1,   // qk multipliers (NQk <= D: one key per D/NQk beats)
  parameter integer NPv  = 1,   // pv multipliers (NPv <= D)
  parameter integer MaxN = 64,  // softmax score buffer entries
  parameter integer Imp  = 1,   // 1: with the importance unit; 0: without (its outputs 0)
  parameter integer Pv   = 1    // 1: with the pv unit; 0: without (probabilities consumed, outputs 0)
) (
  input  wire                        clk_i,
  input  wire                        rst_ni,
  // qk
  input  wire [D*16-1:0]             q_i,
  input  wire [15:0]                 mult_i,
  input  wire [5:0]                  shift_i,
  input  wire                        k_valid_i,
  output wire                        k_ready_o,
  input  wire [NQk*16-1:0]           k_data_i,
  // softmax
  input  wire                        sm_start_i,
  input  wire [$clog2(MaxN+1)-1:0]   sm_n_i,
  input  wire                        sm_abort_i,
  output wire                        sm_info_valid_o,
  output wire                        sm_busy_o,
  // requant
  input  wire [31:0]                 tau_i,
  input  wire [3:0]                  lsb_bits_i,
  output wire                        requant_o,
  // pv
  input  wire                        pv_start_i,
  input  wire                        pv_last_i,
  input  wire [NPv*16-1:0]           pv_v_i,
  output wire                        pv_out_valid_o,
  output wire [D*16-1:0]             pv_out_o,
  // importance
  input  wire [`SP_IMP_BITS-1:0]     tok_acc_i,
  output wire [`SP_IMP_BITS-1:0]     tok_sum_o,
  input  wire [`SP_IMP_BITS-1:0]     head_acc_i,
  input  wire [15:0]                 head_mult_i,
  input  wire [5:0]                  head_shift_i,
  output wire [`SP_IMP_BITS-1:0]     head_sum_o
);
  generate
    if (NQk > D || NPv > D) begin : gen_chk
      $error("ice40_datapath: NQk and NPv at most D (one lane of logits and probabilities)");
    end
  endgenerate

  wire y_valid, y_ready, p_valid, p_ready;
  wire [`SP_LOGIT_BITS-1:0] y;
  wire [15:0] pmax, p;
  /* verilator lint_off PINCONNECTEMPTY */
  qk #(.D(D), .NQk(NQk), .QW(16), .KW(16)) u_qk (
    .clk_i(clk_i), .rst_ni(rst_ni), .q_i(q_i), .mult_i(mult_i), .shift_i(shift_i),
    .k_valid_i(k_valid_i), .k_ready_o(k_ready_o), .k_data_i(k_data_i),
    .y_valid_o(y_valid), .y_ready_i(y_ready), .y_o(y), .acc_o()
  );
  softmax #(.MaxN(MaxN)) u_softmax (
    .clk_i(clk_i), .rst_ni(rst_ni), .start_i(sm_start_i), .n_i(sm_n_i), .abort_i(sm_abort_i),
    .y_valid_i(y_valid), .y_ready_o(y_ready), .y_i(y),
    .info_valid_o(sm_info_valid_o), .max_o(), .sum_o(), .recip_o(), .pmax_o(pmax),
    .p_valid_o(p_valid), .p_ready_i(p_ready), .p_o(p), .busy_o(sm_busy_o)
  );
  requant u_requant (.pmax_i(pmax), .tau_i(tau_i), .lsb_bits_i(lsb_bits_i), .requant_o(requant_o));
  generate
    if (Pv != 0) begin : gen_pv
      /* verilator lint_off PINCONNECTEMPTY */
      pv #(.D(D), .NPv(NPv), .VW(16)) u_pv (
        .clk_i(clk_i), .rst_ni(rst_ni), .start_i(pv_start_i), .in_valid_i(p_valid),
        .in_ready_o(p_ready), .in_last_i(pv_last_i), .in_p_i(p), .in_v_i(pv_v_i),
        .out_valid_o(pv_out_valid_o), .out_o(pv_out_o), .acc_o()
      );
      /* verilator lint_on PINCONNECTEMPTY */
    end else begin : gen_no_pv
      assign p_ready = 1'b1;
      assign pv_out_valid_o = 1'b0;
      assign pv_out_o = {D*16{1'b0}};
      /* verilator lint_off UNUSED */
      wire unused_pv = ^{pv_start_i, pv_last_i, pv_v_i, p_valid, p};
      /* verilator lint_on UNUSED */
    end
  endgenerate
  /* verilator lint_on PINCONNECTEMPTY */
  generate
    if (Imp != 0) begin : gen_imp
      /* verilator lint_off PINCONNECTEMPTY */
      importance #(.Lanes(1), .D(D)) u_importance (
        .tok_acc_i(tok_acc_i), .tok_p_i(p), .tok_sum_o(tok_sum_o),
        .head_acc_i(head_acc_i), .head_out_i(pv_out_o),
        .head_mult_i(head_mult_i), .head_shift_i(head_shift_i), .head_add_o(), .head_sum_o(head_sum_o)
      );
      /* verilator lint_on PINCONNECTEMPTY */
    end else begin : gen_no_imp
      assign tok_sum_o  = {`SP_IMP_BITS{1'b0}};
      assign head_sum_o = {`SP_IMP_BITS{1'b0}};
      /* verilator lint_off UNUSED */
      wire unused_imp = ^{tok_acc_i, head_acc_i, head_mult_i, head_shift_i};
      /* verilator lint_on UNUSED */
    end
  endgenerate
endmodule
