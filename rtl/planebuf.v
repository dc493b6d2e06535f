// planebuf.v - a row buffer filled from bit planes (the common body of kbuf
// and vbuf, docs/rtl.md s3). A row arrives as planes (plane p holds bit p of
// each of its D elements): the MSB planes (fetched first) and the LSB planes
// (fetched only on a requant) are written separately, into an MSB and an
// LSB memory, so an LSB refetch writes only the LSB part. A read returns one
// *line* of Lanes rows as 16-bit elements, either approx(msb) or
// merge(msb, lsb) through the quant unit. Storage: register arrays written
// one row per cycle with a lane enable, read asynchronously (one line per
// cycle). A write stores wr_rows_i (1..WrRows) rows at slots wr_slot_i..
// wr_slot_i + wr_rows_i - 1 of one line (WrRows divides Lanes; the first
// slot is a multiple of WrRows: one K request of the fetcher).
module planebuf #(
  parameter integer D     = 64,    // elements per row
  parameter integer MsbW  = 8,     // MSB planes
  parameter integer LsbW  = 4,     // LSB planes (0..8)
  parameter integer Depth = 1024,  // rows (power of two)
  parameter integer Lanes = 1,     // rows per read line (power of two)
  parameter integer SlotW = 10,    // = log2(Depth)
  parameter integer WrRows = 1     // rows a write (power of two, divides Lanes)
) (
  input  wire                     clk_i,
  input  wire                     wr_en_i,
  input  wire                     wr_lsb_i,    // 1: write the LSB planes
  input  wire [SlotW-1:0]         wr_slot_i,
  input  wire [$clog2(WrRows+1)-1:0] wr_rows_i,  // rows of this write, 1..WrRows
  input  wire [WrRows*((MsbW > LsbW) ? MsbW : LsbW)*D-1:0] wr_planes_i, // row r's plane p at [r*PW + p*D +: D]
  input  wire [SlotW-((Lanes > 1) ? $clog2(Lanes) : 0)-1:0] rd_line_i,
  input  wire                     rd_full_i,   // 1: merge MSB and LSB planes
  output wire [Lanes*D*16-1:0]    rd_data_o    // element j of row k at [(k*D+j)*16 +: 16]
);
  localparam integer LaneW = (Lanes > 1) ? $clog2(Lanes) : 0;
  localparam integer Lines = Depth / Lanes;
  localparam integer LW    = (Lines > 1) ? $clog2(Lines) : 1;

  generate
    if (Depth < 2 || (Depth & (Depth - 1)) != 0 || SlotW != $clog2(Depth)) begin : gen_chk_depth
      $error("planebuf: Depth must be a power of two >= 2 and SlotW = log2(Depth)");
    end
    if (Lanes < 1 || (Lanes & (Lanes - 1)) != 0 || Lanes >= Depth) begin : gen_chk_lanes
      $error("planebuf: Lanes must be a power of two below Depth");
    end
    if (WrRows < 1 || (WrRows & (WrRows - 1)) != 0 || WrRows > Lanes) begin : gen_chk_wrrows
      $error("planebuf: WrRows must be a power of two dividing Lanes (a write stays in one line)");
    end
    if (MsbW < 1 || MsbW > 15 || LsbW < 0 || LsbW > 8 || MsbW + LsbW > 16) begin : gen_chk_bits
      $error("planebuf: MsbW 1..15 (algorithm.k_msb, v_msb), LsbW 0..8, MsbW + LsbW <= 16 (spec s2)");
    end
  endgenerate

  wire [LW-1:0] wr_line;
  wire [LaneW > 0 ? LaneW-1 : 0:0] wr_lane;  // the write's first lane
  generate
    if (LaneW > 0) begin : gen_split
      assign wr_line = wr_slot_i[SlotW-1:LaneW];
      assign wr_lane = wr_slot_i[LaneW-1:0];
    end else begin : gen_nosplit
      assign wr_line = wr_slot_i;
      assign wr_lane = 1'b0;
    end
  endgenerate

  // storage: per lane (row within a line) a memory of Lines words, the
  // MSB part and the LSB part of its D elements, element-major (element
  // e's MSB bits at [e*MsbW +: MsbW]). A write turns each row's planes into
  // elements (tr_msb / tr_lsb: wiring); lane l takes row l mod WrRows of a
  // write whose group of WrRows lanes is its own. The MSB and LSB parts are
  // separate memories, so an LSB refetch writes only the LSB part.
  localparam integer RowM = D * MsbW;
  localparam integer LsbE = (LsbW > 0) ? LsbW : 1;  // LSB bits per element, >= 1
  localparam integer RowL = D * LsbE;
  localparam integer NEl  = Lanes * D;
  localparam integer PW   = ((MsbW > LsbW) ? MsbW : LsbW) * D;  // one row's planes
  localparam integer RW   = $clog2(WrRows + 1);
  localparam integer WrSh = (WrRows > 1) ? $clog2(WrRows) : 0;
  localparam integer LWW  = (LaneW > 0) ? LaneW : 1;
  wire [31:0] wr_grp  = {{(32-LWW){1'b0}}, wr_lane} >> WrSh;  // the write's group of lanes
  wire [31:0] wr_rows = {{(32-RW){1'b0}}, wr_rows_i};

  // plane p of the write (bit e at wr_planes_i[p*D + e]) -> element-major
  function automatic [RowM-1:0] tr_msb(input [PW-1:0] pl);
    integer te, tq;
    begin
      tr_msb = {RowM{1'b0}};
      for (te = 0; te < D; te = te + 1)
        for (tq = 0; tq < MsbW; tq = tq + 1)
          tr_msb[te*MsbW + tq] = pl[tq*D + te];
    end
  endfunction

  wire we_msb = wr_en_i && !wr_lsb_i;
  wire [Lanes*RowM-1:0] rd_msb;
  wire [Lanes*RowL-1:0] rd_lsb;
  genvar gl;
  generate
    for (gl = 0; gl < Lanes; gl = gl + 1) begin : gen_mlane
      localparam integer R = gl % WrRows;  // the write row this lane takes
      localparam integer G = gl / WrRows;  // its group
      reg [RowM-1:0] m_q [0:Lines-1];
      wire hit = wr_grp == G && R < wr_rows;
      always @(posedge clk_i) begin
        if (we_msb && hit)
          m_q[wr_line] <= tr_msb(wr_planes_i[R*PW +: PW]);
      end
      assign rd_msb[gl*RowM +: RowM] = m_q[rd_line_i];
    end
  endgenerate

  generate
    if (LsbW > 0) begin : gen_lsb
      function automatic [RowL-1:0] tr_lsb(input [PW-1:0] pl);
        integer te, tq;
        begin
          tr_lsb = {RowL{1'b0}};
          for (te = 0; te < D; te = te + 1)
            for (tq = 0; tq < LsbW; tq = tq + 1)
              tr_lsb[te*LsbW + tq] = pl[tq*D + te];
        end
      endfunction
      wire we_lsb = wr_en_i && wr_lsb_i;
      for (gl = 0; gl < Lanes; gl = gl + 1) begin : gen_llane
        localparam integer R = gl % WrRows;
        localparam integer G = gl / WrRows;
        reg [RowL-1:0] l_q [0:Lines-1];
        wire hit = wr_grp == G && R < wr_rows;
        always @(posedge clk_i) begin
          if (we_lsb && hit)
            l_q[wr_line] <= tr_lsb(wr_planes_i[R*PW +: PW]);
        end
        assign rd_lsb[gl*RowL +: RowL] = l_q[rd_line_i];
      end
    end else begin : gen_nolsb
      assign rd_lsb = {(Lanes*RowL){1'b0}};
    end
  endgenerate

  // elements of the read line, one quant unit's merge / approx per element
  // (rtl/quant.v val_o at l = LsbW, docs/spec.md s3): the MSB part
  // sign-extended and shifted left by LsbW, below it the LSB bits
  // (rd_full_i) or the midpoint 2^(LsbW-1) (approx; nothing at LsbW 0).
  // Written as one loop straight from the stored line to the output (no
  // element arrays between): the simulator evaluates this read every
  // cycle, and each array in between is one more store and load per element.
  localparam integer HalfI = (LsbW > 0) ? (1 << (LsbW - 1)) : 0;
  localparam [LsbE-1:0] Half = HalfI[LsbE-1:0];
  function automatic [15:0] qval(input [MsbW-1:0] m, input [LsbE-1:0] b, input full);
    reg [15:0] ms;
    begin
      ms   = {{(16-MsbW){m[MsbW-1]}}, m};
      qval = (ms << LsbW) | {{(16-LsbE){1'b0}}, full ? b : Half};
    end
  endfunction

  reg [Lanes*D*16-1:0] rd_data;
  integer o;
  always @(*) begin
    for (o = 0; o < NEl; o = o + 1)
      rd_data[o*16 +: 16] = qval(rd_msb[o*MsbW +: MsbW], rd_lsb[o*LsbE +: LsbE], rd_full_i);
  end
  assign rd_data_o = rd_data;
endmodule
