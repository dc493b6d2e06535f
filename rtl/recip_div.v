// recip_div.v - sequential restoring divider: quot = floor(num / den),
// one quotient bit per cycle, NumW cycles (docs/spec.md s5 step 4: softmax
// uses num = 2^46, NumW = 47, den = the 32-bit exp sum).
// Step i (i = NumW-1 .. 0): rem = (rem << 1) | num[i];
//                           if rem >= den: rem -= den, quot[i] = 1.
// den = 0 gives quot = all ones and rem = num's low bits (never used here).
module recip_div #(
  parameter integer NumW = 47,  // dividend bits = steps
  parameter integer DenW = 32   // divisor bits
) (
  input  wire            clk_i,
  input  wire            rst_ni,
  input  wire            start_i,  // pulse, accepted when !busy_o
  input  wire [NumW-1:0] num_i,
  input  wire [DenW-1:0] den_i,
  output wire            busy_o,
  output wire            done_o,   // one-cycle pulse after the last step
  output wire [NumW-1:0] quot_o,   // held until the next start
  output wire [DenW-1:0] rem_o
);
  generate
    if (NumW < 2 || NumW > 64) begin : gen_chk_numw
      $error("recip_div: NumW must be 2..64");
    end
    if (DenW < 1 || DenW > 63) begin : gen_chk_denw
      $error("recip_div: DenW must be 1..63");
    end
  endgenerate

  localparam integer CntW = $clog2(NumW + 1);

  reg  [NumW-1:0] num_q, num_d;    // dividend bits still to shift in (MSB first)
  reg  [NumW-1:0] quot_q, quot_d;
  reg  [DenW-1:0] den_q, den_d;
  reg  [DenW-1:0] rem_q, rem_d;
  reg  [CntW-1:0] cnt_q, cnt_d;    // steps left
  reg             done_q, done_d;

  // one restoring step (formed only while the divider runs)
  reg [DenW:0] rem_sh, diff;
  reg          ge;  // rem_sh >= den (no borrow)

  always @(*) begin
    rem_sh = {(DenW+1){1'b0}};
    diff   = {(DenW+1){1'b0}};
    ge     = 1'b0;
    num_d  = num_q;
    quot_d = quot_q;
    den_d  = den_q;
    rem_d  = rem_q;
    cnt_d  = cnt_q;
    done_d = 1'b0;
    if (cnt_q != {CntW{1'b0}}) begin
      rem_sh = {rem_q, num_q[NumW-1]};
      diff   = rem_sh - {1'b0, den_q};
      ge     = !diff[DenW];
      num_d  = {num_q[NumW-2:0], 1'b0};
      quot_d = {quot_q[NumW-2:0], ge};
      rem_d  = ge ? diff[DenW-1:0] : rem_sh[DenW-1:0];
      cnt_d  = cnt_q - {{(CntW-1){1'b0}}, 1'b1};
      done_d = (cnt_q == {{(CntW-1){1'b0}}, 1'b1});
    end else if (start_i) begin
      num_d  = num_i;
      quot_d = {NumW{1'b0}};
      den_d  = den_i;
      rem_d  = {DenW{1'b0}};
      cnt_d  = NumW[CntW-1:0];
    end
  end

  always @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      num_q  <= {NumW{1'b0}};
      quot_q <= {NumW{1'b0}};
      den_q  <= {DenW{1'b0}};
      rem_q  <= {DenW{1'b0}};
      cnt_q  <= {CntW{1'b0}};
      done_q <= 1'b0;
    end else begin
      num_q  <= num_d;
      quot_q <= quot_d;
      den_q  <= den_d;
      rem_q  <= rem_d;
      cnt_q  <= cnt_d;
      done_q <= done_d;
    end
  end

  assign busy_o = (cnt_q != {CntW{1'b0}});
  assign done_o = done_q;
  assign quot_o = quot_q;
  assign rem_o  = rem_q;
endmodule
