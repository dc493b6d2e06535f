// softmax.v - fixed-point softmax over n logits held in a score buffer
// (docs/spec.md s5; C: cmodel/softmax.c sp_softmax).
//   LOAD: accept n logits y (24-bit signed) into the buffer, running max m;
//   EXP:  n cycles, e = LUT[(m-y) & 255] >> ((m-y) >> 8) (0 if the shift
//         is >= 16), written back over y; s = sum e (32-bit);
//   DIV:  R = floor(2^46 / s) by recip_div (47 steps);
//   NORM: stream p = min(32768, rnd(e*R, 31)) in index order.
// With y_valid_i and p_ready_i held at 1, the run takes 3n + 49 cycles
// counted from the start cycle (0): logits are taken in cycles 1..n, the
// divider starts in cycle 2n, info_valid_o rises and p[0] is offered in
// cycle 2n+49, p[n-1] in cycle 3n+48 (checked by tests/rtl/tb_softmax.cpp).
// Logit, probability and divider widths: sp_defs.vh (defs/spattn.defs).
`include "sp_defs.vh"
module softmax #(
  parameter integer MaxN = 1024  // score buffer entries (max n)
) (
  input  wire                        clk_i,
  input  wire                        rst_ni,
  input  wire                        start_i,   // pulse, accepted when !busy_o
  input  wire [$clog2(MaxN+1)-1:0]   n_i,       // 1..MaxN (0: start ignored)
  input  wire                        abort_i,   // back to idle at once
  input  wire                        y_valid_i,
  output wire                        y_ready_o,
  input  wire [`SP_LOGIT_BITS-1:0]  y_i,
  output wire                        info_valid_o,
  output wire [`SP_LOGIT_BITS-1:0]  max_o,
  output wire [31:0]                 sum_o,
  output wire [31:0]                 recip_o,
  output wire [15:0]                 pmax_o,
  output wire                        p_valid_o,
  input  wire                        p_ready_i,
  output wire [15:0]                 p_o,
  output wire                        busy_o
);
  localparam integer NW = $clog2(MaxN + 1);
  localparam integer LW = `SP_LOGIT_BITS;  // logits y and the max m
  localparam [15:0] POne = `SP_PROB_ONE;    // probability 1.0 (Q1.15)
  localparam integer AW = (MaxN > 1) ? $clog2(MaxN) : 1;

  generate
    if (MaxN < 1 || MaxN > `SP_MAX_TOKENS) begin : gen_chk_maxn
      $error("softmax: MaxN must be 1..SP_MAX_TOKENS (spec s1: sum < 2^29)");
    end
  endgenerate

  localparam [2:0] StIdle = 3'd0, StLoad = 3'd1, StExp = 3'd2, StDiv = 3'd3, StNorm = 3'd4;

  reg [2:0]    state_q, state_d;
  reg [NW-1:0] n_q, n_d;
  reg [NW-1:0] cnt_q, cnt_d;
  reg [LW-1:0] max_q, max_d;
  reg [31:0]   sum_q, sum_d;
  reg [31:0]   recip_q, recip_d;
  reg          info_q, info_d;

  reg [LW-1:0] buf_q [0:MaxN-1];  // logits, then e (zero-extended)
  reg          wr_en;
  reg [LW-1:0] wr_data;

  wire [AW-1:0] addr = cnt_q[AW-1:0];
  wire [LW-1:0] rd   = buf_q[addr];
  wire          last = (cnt_q == n_q - {{(NW-1){1'b0}}, 1'b1});

  // exp of the distance below the max
  // (dst in Q.LOGIT_FRAC: the fraction indexes the LUT, the integer part
  // shifts; a shift of 16 or more gives 0)
  wire [LW-1:0] dst = max_q - rd;
  wire [15:0] lut_val;
  exp_lut u_exp_lut (
    .idx_i (dst[`SP_LOGIT_FRAC-1:0]),
    .val_o (lut_val)
  );
  wire [15:0] e = (|dst[LW-1:`SP_LOGIT_FRAC+4]) ? 16'd0 : (lut_val >> dst[`SP_LOGIT_FRAC+3:`SP_LOGIT_FRAC]);

  // reciprocal
  wire        div_start = (state_q == StExp) && last;
  wire        div_busy, div_done;
  wire [`SP_DIV_STEPS-1:0] div_quot;
  wire [31:0] div_rem;
  recip_div #(
    .NumW (`SP_DIV_STEPS),
    .DenW (32)
  ) u_recip_div (
    .clk_i   (clk_i),
    .rst_ni  (rst_ni),
    .start_i (div_start && !abort_i),
    .num_i   ({1'b1, {`SP_RECIP_SHIFT{1'b0}}}),  // 2^SP_RECIP_SHIFT
    .den_i   (sum_d),
    .busy_o  (div_busy),
    .done_o  (div_done),
    .quot_o  (div_quot),
    .rem_o   (div_rem)
  );

  // normalise: p = min(32768, (e*R + 2^30) >> 31), e < 2^16, R < 2^32
  wire [47:0] er   = rd[15:0] * recip_q;
  // rnd(x, 31) = (x >> 31) + x[30]
  wire [17:0] p_w  = {1'b0, er[47:31]} + {17'd0, er[30]};
  assign p_o = (p_w > {2'b0, POne}) ? POne : p_w[15:0];
  // pmax = norm(32768, R) = min(32768, (R + 2^15) >> 16): the max token has e = 32768
  wire [16:0] pm_r = {1'b0, recip_q[31:16]} + {16'd0, recip_q[15]};
  assign pmax_o = (pm_r > {1'b0, POne}) ? POne : pm_r[15:0];

  wire y_take = (state_q == StLoad) && y_valid_i;
  wire p_take = (state_q == StNorm) && p_ready_i;

  always @(*) begin
    state_d = state_q;
    n_d     = n_q;
    cnt_d   = cnt_q;
    max_d   = max_q;
    sum_d   = sum_q;
    recip_d = recip_q;
    info_d  = info_q;
    wr_en   = 1'b0;
    wr_data = y_i;
    case (state_q)
      StIdle: begin
        if (start_i && n_i != {NW{1'b0}} && !div_busy) begin
          state_d = StLoad;
          n_d     = n_i;
          cnt_d   = {NW{1'b0}};
          info_d  = 1'b0;
        end
      end
      StLoad: begin
        if (y_take) begin
          wr_en = 1'b1;
          if (cnt_q == {NW{1'b0}} || $signed(y_i) > $signed(max_q))
            max_d = y_i;
          cnt_d = cnt_q + {{(NW-1){1'b0}}, 1'b1};
          if (last) begin
            state_d = StExp;
            cnt_d   = {NW{1'b0}};
            sum_d   = 32'd0;
          end
        end
      end
      StExp: begin
        wr_en   = 1'b1;
        wr_data = {{(LW-16){1'b0}}, e};
        sum_d   = sum_q + {16'd0, e};
        cnt_d   = cnt_q + {{(NW-1){1'b0}}, 1'b1};
        if (last) begin
          state_d = StDiv;
          cnt_d   = {NW{1'b0}};
        end
      end
      StDiv: begin
        if (div_done) begin
          state_d = StNorm;
          recip_d = div_quot[31:0];
          info_d  = 1'b1;
        end
      end
      StNorm: begin
        if (p_take) begin
          cnt_d = cnt_q + {{(NW-1){1'b0}}, 1'b1};
          if (last)
            state_d = StIdle;
        end
      end
      default: state_d = StIdle;
    endcase
    if (abort_i) begin
      state_d = StIdle;
      wr_en   = 1'b0;
    end
  end

  always @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      state_q <= StIdle;
      n_q     <= {NW{1'b0}};
      cnt_q   <= {NW{1'b0}};
      max_q   <= {LW{1'b0}};
      sum_q   <= 32'd0;
      recip_q <= 32'd0;
      info_q  <= 1'b0;
    end else begin
      state_q <= state_d;
      n_q     <= n_d;
      cnt_q   <= cnt_d;
      max_q   <= max_d;
      sum_q   <= sum_d;
      recip_q <= recip_d;
      info_q  <= info_d;
    end
  end

  // score buffer: one write port, read at cnt (no reset: a memory)
  always @(posedge clk_i) begin
    if (wr_en)
      buf_q[addr] <= wr_data;
  end

  assign y_ready_o    = (state_q == StLoad);
  assign p_valid_o    = (state_q == StNorm);
  assign info_valid_o = info_q;
  assign max_o        = max_q;
  assign sum_o        = sum_q;
  assign recip_o      = recip_q;
  assign busy_o       = (state_q != StIdle) || div_busy;

  // the quotient is < 2^32 (s >= 32768) and the remainder is not needed
  // (and e*R's bits below the rounding bit)
  wire unused_div = ^{div_quot[`SP_DIV_STEPS-1:32], div_rem, er[29:0]};
endmodule
