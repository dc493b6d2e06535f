// softmax.v - fixed-point softmax over n logits held in a score buffer
// (docs/spec.md s5; C: cmodel/softmax.c sp_softmax), Lanes (P) positions
// per cycle. The buffer is P banks: position i is in bank i mod P, row
// i / P; each pass handles one row (P positions) a cycle.
//   LOAD: accept the n logits y (24-bit signed), up to P a cycle, into the
//         buffer; running max m (a compare tree over the beat);
//   EXP:  ceil(n/P) cycles: e = LUT[(m-y) & 255] >> ((m-y) >> 8) (0 if the
//         shift is >= 16) in every lane, written back over y; s += the
//         adder tree of the row's e (integer sums: the order does not
//         change s, so the result equals the C model's serial sum);
//   DIV:  R = floor(2^46 / s) by recip_div (47 steps);
//   NORM: stream rows of P probabilities p = min(32768, rnd(e*R, 31)).
// A LOAD beat carries y_n_i logits (1..P) in lanes off..off+y_n_i-1, off =
// (logits taken so far) mod P; off + y_n_i must not exceed P (a beat stays
// in one row). With y_valid_i (full beats) and p_ready_i held at 1 and
// L = ceil(n/P), the run takes 3L + 49 cycles counted from the start cycle
// (0): beats are taken in cycles 1..L, the divider starts in cycle 2L,
// info_valid_o rises and row 0 is offered in cycle 2L+49, the last row in
// cycle 3L+48 (checked by tests/rtl/tb_softmax.cpp).
// Logit, probability and divider widths: sp_defs.vh (defs/spattn.defs).
`include "sp_defs.vh"
module softmax #(
  parameter integer MaxN  = 1024,  // score buffer entries (max n)
  parameter integer Lanes = 1      // P: positions per cycle (a power of two)
) (
  input  wire                        clk_i,
  input  wire                        rst_ni,
  input  wire                        start_i,   // pulse, accepted when !busy_o
  input  wire [$clog2(MaxN+1)-1:0]   n_i,       // 1..MaxN (0: start ignored)
  input  wire                        abort_i,   // back to idle at once
  input  wire                        y_valid_i,
  output wire                        y_ready_o,
  input  wire [Lanes*`SP_LOGIT_BITS-1:0] y_i,   // lane j: position row*P + j
  input  wire [$clog2(Lanes+1)-1:0]  y_n_i,     // logits in this beat (1..P)
  output wire                        info_valid_o,
  output wire [`SP_LOGIT_BITS-1:0]  max_o,
  output wire [31:0]                 sum_o,
  output wire [31:0]                 recip_o,
  output wire [15:0]                 pmax_o,
  output wire                        p_valid_o,
  input  wire                        p_ready_i,
  output wire [Lanes*16-1:0]         p_o,       // lane j: p of position row*P + j
  output wire [$clog2(Lanes+1)-1:0]  p_n_o,     // positions in this row (1..P)
  output wire                        busy_o
);
  localparam integer NW = $clog2(MaxN + 1);
  localparam integer CW = NW + 1;                        // counters: n + P fits
  localparam integer LW = `SP_LOGIT_BITS;  // logits y and the max m
  localparam [15:0] POne = `SP_PROB_ONE;    // probability 1.0 (Q1.15)
  localparam integer PW = (Lanes > 1) ? $clog2(Lanes) : 0;  // lane bits
  localparam integer RN = (MaxN + Lanes - 1) / Lanes;        // rows
  localparam integer RW = (RN > 1) ? $clog2(RN) : 1;
  localparam integer YNW = $clog2(Lanes + 1);
  localparam integer SW = 17 + PW;                       // row sum of e (one spare bit)

  generate
    if (MaxN < 1 || MaxN > `SP_MAX_TOKENS) begin : gen_chk_maxn
      $error("softmax: MaxN must be 1..SP_MAX_TOKENS (spec s1: sum < 2^29)");
    end
    if (Lanes < 1 || (Lanes & (Lanes - 1)) != 0 || Lanes > MaxN) begin : gen_chk_lanes
      $error("softmax: Lanes must be a power of two, at most MaxN");
    end
  endgenerate

  localparam [2:0] StIdle = 3'd0, StLoad = 3'd1, StExp = 3'd2, StDiv = 3'd3, StNorm = 3'd4;

  reg [2:0]    state_q, state_d;
  reg [NW-1:0] n_q, n_d;
  reg [CW-1:0] cnt_q, cnt_d;       // positions done in this pass
  reg [LW-1:0] max_q, max_d;
  reg [31:0]   sum_q, sum_d;
  reg [31:0]   recip_q, recip_d;
  reg          info_q, info_d;

  reg [Lanes-1:0]    wr_en;
  reg [Lanes*LW-1:0] wr_data;

  wire [CW-1:0] n_c  = {1'b0, n_q};
  wire [RW-1:0] row  = cnt_q[PW +: RW];
  wire [CW-1:0] ynw  = {{(CW-YNW){1'b0}}, y_n_i};
  wire          last_ld  = (cnt_q + ynw >= n_c);                          // LOAD: last beat
  wire          last_row = (cnt_q + Lanes[CW-1:0] >= n_c);                // EXP, NORM: last row
  wire [PW:0]   off;                                                     // lane of the next logit
  generate
    if (Lanes > 1) begin : gen_off
      assign off = {1'b0, cnt_q[PW-1:0]};
    end else begin : gen_off1
      assign off = 1'b0;
    end
  endgenerate

  // per lane: the row's entry, whether the lane is in this beat (LOAD) or
  // below n (EXP, NORM), its e and its probability
  wire [Lanes-1:0]    in_beat, in_n;
  wire [Lanes*16-1:0] e;
  genvar j;
  generate
    for (j = 0; j < Lanes; j = j + 1) begin : gen_lane
      // bank j of the score buffer: logits, then e (zero-extended); one
      // write port, read at the current row (no reset: a memory)
      reg [LW-1:0] bank_q [0:RN-1];
      always @(posedge clk_i) begin
        if (wr_en[j])
          bank_q[row] <= wr_data[j*LW +: LW];
      end
      wire [LW-1:0] r = bank_q[row];
      localparam [PW:0]   JL = j;
      localparam [CW-1:0] JC = j;
      assign in_beat[j] = (JL >= off) && ({1'b0, JL} < {1'b0, off} + {1'b0, y_n_i});
      assign in_n[j]    = (cnt_q + JC < n_c);
      // exp of the distance below the max (dst in Q.LOGIT_FRAC: the
      // fraction indexes the LUT, the integer part shifts; a shift of 16 or
      // more gives 0)
      wire [LW-1:0] dst = max_q - r;
      wire [15:0] lut_val;
      exp_lut u_exp_lut (
        .idx_i (dst[`SP_LOGIT_FRAC-1:0]),
        .val_o (lut_val)
      );
      assign e[j*16 +: 16] = (|dst[LW-1:`SP_LOGIT_FRAC+4]) ? 16'd0 :
                             (lut_val >> dst[`SP_LOGIT_FRAC+3:`SP_LOGIT_FRAC]);
      // normalise: p = min(32768, (e*R + 2^30) >> 31), e < 2^16, R < 2^32;
      // rnd(x, 31) = (x >> 31) + x[30]
      wire [47:0] er  = r[15:0] * recip_q;
      wire [17:0] p_w = {1'b0, er[47:31]} + {17'd0, er[30]};
      assign p_o[j*16 +: 16] = (p_w > {2'b0, POne}) ? POne : p_w[15:0];
      wire unused_er = ^er[29:0];
    end
  endgenerate

  // compare tree over the beat's lanes (heap order: node i has children
  // 2i+1, 2i+2; the P leaves are nodes P-1..2P-2) and adder tree of the
  // row's e (lanes at or beyond n add 0)
  reg [(2*Lanes-1)*LW-1:0] mx_t;
  reg [2*Lanes-2:0]        mv_t;
  reg [(2*Lanes-1)*SW-1:0] sm_t;
  integer i, k;
  always @(*) begin
    mx_t = {(2*Lanes-1)*LW{1'b0}};
    mv_t = {(2*Lanes-1){1'b0}};
    sm_t = {(2*Lanes-1)*SW{1'b0}};
    for (i = 0; i < Lanes; i = i + 1) begin
      mx_t[(Lanes-1+i)*LW +: LW] = y_i[i*LW +: LW];
      mv_t[Lanes-1+i]            = in_beat[i];
      sm_t[(Lanes-1+i)*SW +: SW] = in_n[i] ? {{(SW-16){1'b0}}, e[i*16 +: 16]} : {SW{1'b0}};
    end
    for (i = Lanes - 2; i >= 0; i = i - 1) begin
      mv_t[i] = mv_t[2*i+1] | mv_t[2*i+2];
      if (!mv_t[2*i+2] || (mv_t[2*i+1] &&
          $signed(mx_t[(2*i+1)*LW +: LW]) >= $signed(mx_t[(2*i+2)*LW +: LW])))
        mx_t[i*LW +: LW] = mx_t[(2*i+1)*LW +: LW];
      else
        mx_t[i*LW +: LW] = mx_t[(2*i+2)*LW +: LW];
      sm_t[i*SW +: SW] = sm_t[(2*i+1)*SW +: SW] + sm_t[(2*i+2)*SW +: SW];
    end
  end
  wire [LW-1:0] beat_max = mx_t[LW-1:0];
  wire [SW-1:0] row_sum  = sm_t[SW-1:0];

  // reciprocal
  wire        div_start = (state_q == StExp) && last_row;
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
    wr_en   = {Lanes{1'b0}};
    wr_data = y_i;
    case (state_q)
      StIdle: begin
        if (start_i && n_i != {NW{1'b0}} && !div_busy) begin
          state_d = StLoad;
          n_d     = n_i;
          cnt_d   = {CW{1'b0}};
          info_d  = 1'b0;
        end
      end
      StLoad: begin
        if (y_take) begin
          wr_en = in_beat;
          if (cnt_q == {CW{1'b0}} || $signed(beat_max) > $signed(max_q))
            max_d = beat_max;
          cnt_d = cnt_q + ynw;
          if (last_ld) begin
            state_d = StExp;
            cnt_d   = {CW{1'b0}};
            sum_d   = 32'd0;
          end
        end
      end
      StExp: begin
        wr_en = {Lanes{1'b1}};
        for (k = 0; k < Lanes; k = k + 1)
          wr_data[k*LW +: LW] = {{(LW-16){1'b0}}, e[k*16 +: 16]};
        sum_d = sum_q + {{(32-SW){1'b0}}, row_sum};
        cnt_d = cnt_q + Lanes[CW-1:0];
        if (last_row) begin
          state_d = StDiv;
          cnt_d   = {CW{1'b0}};
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
          cnt_d = cnt_q + Lanes[CW-1:0];
          if (last_row)
            state_d = StIdle;
        end
      end
      default: state_d = StIdle;
    endcase
    if (abort_i) begin
      state_d = StIdle;
      wr_en   = {Lanes{1'b0}};
    end
  end

  always @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      state_q <= StIdle;
      n_q     <= {NW{1'b0}};
      cnt_q   <= {CW{1'b0}};
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

  // positions in the NORM row: min(P, n - cnt)
  wire [CW-1:0] left = n_c - cnt_q;
  assign p_n_o = (left >= Lanes[CW-1:0]) ? Lanes[YNW-1:0] : left[YNW-1:0];

  assign y_ready_o    = (state_q == StLoad);
  assign p_valid_o    = (state_q == StNorm);
  assign info_valid_o = info_q;
  assign max_o        = max_q;
  assign sum_o        = sum_q;
  assign recip_o      = recip_q;
  assign busy_o       = (state_q != StIdle) || div_busy;

  // the quotient is < 2^32 (s >= 32768) and the remainder is not needed
  wire unused_div = ^{div_quot[`SP_DIV_STEPS-1:32], div_rem};
endmodule
